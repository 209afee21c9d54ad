//! The checklist of an inspection, per licence type: each item names the legal provision it
//! checks. Data, not logic: a new licence type adds its list here (or falls back to the general
//! list).

use kernel::i18n::Locale;

/// One thing the inspector checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// Stable code, unique within its list.
    pub code: &'static str,
    /// The legal provision, e.g. "Cap. 138A reg. 23".
    pub provision: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
}

impl Item {
    pub fn text(&self, locale: Locale) -> &'static str {
        if locale == Locale::ZhHant { self.zh } else { self.en }
    }
}

const fn item(code: &'static str, provision: &'static str, en: &'static str, zh: &'static str) -> Item {
    Item { code, provision, en, zh }
}

const LICENCE_DISPLAYED: Item = item(
    "licence_displayed",
    "Licence condition",
    "The licence is displayed where the public can see it",
    "牌照展示於公眾可見的地方",
);

pub const PHARMACY_RETAIL: &[Item] = &[
    item(
        "pharmacist_present",
        "Cap. 138 s. 11",
        "A registered pharmacist is present while Part 1 poisons are sold",
        "出售第1部毒藥時有註冊藥劑師在場",
    ),
    item(
        "poisons_locked",
        "Cap. 138A reg. 23",
        "Part 1 poisons are kept in a locked receptacle",
        "第1部毒藥存放於上鎖的容器內",
    ),
    item("poisons_book", "Cap. 138A reg. 22", "The poisons book is kept and up to date", "毒藥登記冊妥為備存並已更新"),
    item(
        "prescriptions_kept",
        "Cap. 138A reg. 28",
        "Prescriptions for prescription-only medicines are kept for two years",
        "須憑處方出售藥物的處方保存兩年",
    ),
    LICENCE_DISPLAYED,
];

pub const PHARMACY_WHOLESALE: &[Item] = &[
    item("sales_records", "Cap. 138A reg. 26", "Records of every sale are kept for two years", "每宗銷售紀錄保存兩年"),
    item(
        "storage_conditions",
        "Cap. 138A reg. 23",
        "Medicines are stored at the labelled temperature, with records",
        "藥物按標示溫度貯存並有紀錄",
    ),
    item("recall_procedure", "Licence condition", "A product recall procedure is in place", "設有產品回收程序"),
    LICENCE_DISPLAYED,
];

pub const CM_RETAIL: &[Item] = &[
    item(
        "poisonous_apart",
        "Cap. 549F reg. 14",
        "Poisonous Chinese herbal medicines are stored apart and labelled",
        "毒性中藥材分開存放並加上標籤",
    ),
    item(
        "cm_records",
        "Cap. 549F reg. 18",
        "Transaction records of Schedule 1 herbs are kept",
        "附表1中藥材的交易紀錄妥為備存",
    ),
    LICENCE_DISPLAYED,
];

pub const HEALTHCARE_FACILITY: &[Item] = &[
    item(
        "cmo_appointed",
        "Cap. 633 s. 50",
        "A chief medical officer is appointed and oversees clinical governance",
        "已委任醫務行政總監並監督臨床管治",
    ),
    item(
        "infection_control",
        "Cap. 633 s. 42",
        "Infection control follows the code of practice",
        "感染控制符合實務守則",
    ),
    item("medical_records", "Cap. 633 s. 44", "Medical records are kept securely", "醫療紀錄妥善保存"),
    item(
        "complaints_procedure",
        "Cap. 633 s. 80",
        "A complaints procedure is in place and displayed",
        "設有並展示投訴處理程序",
    ),
    LICENCE_DISPLAYED,
];

pub const GENERAL: &[Item] = &[
    item("premises_clean", "Licence condition", "The premises are clean and in good repair", "處所清潔及維修良好"),
    LICENCE_DISPLAYED,
];

/// The checklist of a licence type (by its code), or the general one.
pub fn for_type(code: Option<&str>) -> &'static [Item] {
    match code {
        Some("pharmacy_retail") => PHARMACY_RETAIL,
        Some("pharmacy_wholesale") => PHARMACY_WHOLESALE,
        Some("cm_retail") | Some("cm_wholesale") => CM_RETAIL,
        Some(c) if c.starts_with("phf_") => HEALTHCARE_FACILITY,
        _ => GENERAL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_unique_codes_and_a_provision_for_each_item() {
        for list in [PHARMACY_RETAIL, PHARMACY_WHOLESALE, CM_RETAIL, HEALTHCARE_FACILITY, GENERAL] {
            let mut codes: Vec<&str> = list.iter().map(|i| i.code).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), list.len());
            assert!(list.iter().all(|i| !i.provision.is_empty() && !i.en.is_empty() && !i.zh.is_empty()));
        }
        assert_eq!(for_type(Some("pharmacy_retail"))[1].provision, "Cap. 138A reg. 23");
        assert_eq!(for_type(Some("phf_clinic")), HEALTHCARE_FACILITY);
        assert_eq!(for_type(None), GENERAL);
    }
}
