//! Regulated premises of the synthetic Hong Kong: pharmacies, medicine companies, clinics, day
//! procedure centres, Chinese medicine shops. Names and addresses look real and belong to nobody;
//! the mix and the spread follow district populations. Deterministic by seed.

use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One regulated place (the licence type it holds is `kind`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Premises {
    pub id: String,
    pub kind: &'static str,
    pub name_en: String,
    pub name_zh: String,
    pub address_en: String,
    pub address_zh: String,
    pub district: String,
    pub lat: f64,
    pub lon: f64,
    /// Annual volume indicator, 1 (small) … 5 (large).
    pub volume: i64,
}

/// (licence type code, weight, EN suffixes, ZH suffixes)
const KINDS: &[(&str, u32, &[&str], &[&str])] = &[
    ("pharmacy_retail", 40, &["Pharmacy", "Dispensary", "Medicine Store"], &["藥房", "藥行", "大藥房"]),
    (
        "pharmacy_wholesale",
        8,
        &["Pharmaceutical Trading Ltd", "Medical Supplies Co."],
        &["藥業貿易有限公司", "醫藥供應公司"],
    ),
    ("cm_retail", 25, &["Chinese Medicine Hall", "Herbal Medicine Co."], &["中藥行", "參茸藥材行"]),
    ("phf_clinic", 20, &["Medical Centre", "Clinic"], &["醫務中心", "診所"]),
    ("phf_day_procedure", 5, &["Day Procedure Centre", "Endoscopy Centre"], &["日間醫療中心", "內窺鏡中心"]),
    ("phf_hospital", 1, &["Hospital"], &["醫院"]),
];

/// (EN, ZH) first parts of business names.
const BRANDS: &[(&str, &str)] = &[
    ("Wing On", "永安"),
    ("Tai Hing", "泰興"),
    ("Fook Lam", "福臨"),
    ("Kwong Wah", "廣華"),
    ("Po Sang", "寶生"),
    ("Yan Chai", "仁濟"),
    ("Sun Kee", "新記"),
    ("Hang Fung", "恒豐"),
    ("Lok Fu", "樂富"),
    ("Ming Tak", "明德"),
    ("Chung Sing", "中星"),
    ("Wai Kee", "偉記"),
    ("Kin Wah", "建華"),
    ("Shun Hing", "信興"),
    ("Tung Fat", "同發"),
    ("Yee Shun", "義順"),
    ("Cheung Kong", "長江"),
    ("Man Fung", "萬豐"),
    ("Golden Crane", "金鶴"),
    ("Harbour", "海港"),
    ("Victoria", "維港"),
    ("Lion Rock", "獅子山"),
    ("Jade", "翡翠"),
    ("Evergreen", "長青"),
    ("Sunrise", "旭日"),
    ("Lotus", "蓮花"),
    ("Pearl", "明珠"),
    ("Kowloon", "九龍"),
    ("Oriental", "東方"),
    ("Peace", "和平"),
];

/// (EN, ZH) street names.
const STREETS: &[(&str, &str)] = &[
    ("Nathan Road", "彌敦道"),
    ("Hennessy Road", "軒尼詩道"),
    ("King's Road", "英皇道"),
    ("Des Voeux Road Central", "德輔道中"),
    ("Castle Peak Road", "青山公路"),
    ("Shanghai Street", "上海街"),
    ("Sai Yeung Choi Street", "西洋菜街"),
    ("Queen's Road East", "皇后大道東"),
    ("Tai Po Road", "大埔道"),
    ("Ma On Shan Road", "馬鞍山路"),
    ("Sha Tsui Road", "沙咀道"),
    ("Po Kong Village Road", "蒲崗村道"),
    ("Hoi Yuen Road", "開源道"),
    ("Tsuen Wan Market Street", "荃灣街市街"),
    ("San Hui Street", "新墟街"),
    ("Chung On Street", "眾安街"),
];

/// An endless, deterministic stream of premises for one seed.
pub struct PremisesGenerator {
    rng: ChaCha8Rng,
    index: u64,
    districts: Vec<(&'static str, f64, f64)>,
    district_pick: WeightedIndex<u64>,
    kind_pick: WeightedIndex<u32>,
}

impl PremisesGenerator {
    pub fn new(seed: u64) -> Self {
        let ds = kernel::hk::districts();
        PremisesGenerator {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_9E61),
            index: 0,
            districts: ds.iter().map(|d| (d.code.as_str(), d.lat, d.lon)).collect(),
            district_pick: WeightedIndex::new(ds.iter().map(|d| d.population)).expect("populations"),
            kind_pick: WeightedIndex::new(KINDS.iter().map(|k| k.1)).expect("weights"),
        }
    }
}

impl Iterator for PremisesGenerator {
    type Item = Premises;

    fn next(&mut self) -> Option<Premises> {
        self.index += 1;
        let r = &mut self.rng;
        let (district, lat, lon) = self.districts[self.district_pick.sample(r)];
        let (kind, _, sen, szh) = KINDS[self.kind_pick.sample(r)];
        let s = r.random_range(0..sen.len());
        let (ben, bzh) = BRANDS[r.random_range(0..BRANDS.len())];
        let (sten, stzh) = STREETS[r.random_range(0..STREETS.len())];
        let no = r.random_range(1..480);
        let shop = r.random_range(1..40);
        // Within about 2 km of the district's centre.
        let dlat = (r.random::<f64>() - 0.5) * 0.036;
        let dlon = (r.random::<f64>() - 0.5) * 0.04;
        let volume = 1 + (r.random::<f64>().powi(2) * 5.0) as i64;
        Some(Premises {
            id: format!("prem-{:06}", self.index),
            kind,
            name_en: format!("{ben} {}", sen[s]),
            name_zh: format!("{bzh}{}", szh[s.min(szh.len() - 1)]),
            address_en: format!("Shop {shop}, G/F, {no} {sten}"),
            address_zh: format!("{stzh}{no}號地下{shop}號舖"),
            district: district.to_string(),
            lat: lat + dlat,
            lon: lon + dlon,
            volume: volume.min(5),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_spread_over_districts() {
        let a: Vec<_> = PremisesGenerator::new(7).take(2000).collect();
        let b: Vec<_> = PremisesGenerator::new(7).take(2000).collect();
        assert_eq!(a[1999].name_en, b[1999].name_en);
        let districts: std::collections::HashSet<_> = a.iter().map(|p| p.district.as_str()).collect();
        assert_eq!(districts.len(), 18);
        assert!(a.iter().all(|p| (22.1..22.6).contains(&p.lat) && (113.8..114.5).contains(&p.lon)));
        assert!(a.iter().any(|p| p.kind == "phf_hospital") && a.iter().any(|p| p.kind == "cm_retail"));
        assert!(a.iter().all(|p| (1..=5).contains(&p.volume)));
    }
}
