//! Licence types, configured as data: what an application must carry, what it costs, how long a
//! licence lasts, when renewal opens, the statutory time limit, and which workflow process
//! handles it. The built-in types follow the ordinances the department administers (Cap. 138
//! pharmacy, Cap. 633 private healthcare facilities, Cap. 549 Chinese medicine); staff can edit
//! the stored copies.

pub mod store;

use serde::{Deserialize, Serialize};

/// A text in both languages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn new(en: &str, zh: &str) -> Text {
        Text { en: en.into(), zh: zh.into() }
    }

    pub fn get(&self, locale: kernel::i18n::Locale) -> &str {
        match locale {
            kernel::i18n::Locale::ZhHant => &self.zh,
            kernel::i18n::Locale::En => &self.en,
        }
    }
}

/// A document an application must carry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentRequirement {
    pub code: String,
    pub name: Text,
    /// The certificate of the responsible person: OCR checks that their name and registration
    /// number appear on it.
    #[serde(default)]
    pub responsible_certificate: bool,
}

/// One line of the fee table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeeLine {
    pub code: String,
    pub name: Text,
    /// Hong Kong cents.
    pub cents: i64,
    /// Which applications pay it: "new", "renew", "amend".
    pub applies_to: Vec<String>,
}

/// What a licence type needs and does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Definition {
    pub documents: Vec<DocumentRequirement>,
    pub conditions: Vec<Text>,
    pub fees: Vec<FeeLine>,
    pub validity_months: u32,
    /// Renewal opens this many days before expiry.
    pub renewal_window_days: u32,
    /// Statutory time limit for a decision, in working days.
    pub statutory_days: u32,
    /// The workflow process key that handles applications.
    pub process: String,
    /// The professional register the responsible person must be on, if any.
    pub register: Option<String>,
    /// Product or service risk class, 1 (low) … 3 (high): a risk-score signal.
    pub risk_class: u8,
    /// The inspector skill its inspections need.
    pub skill: String,
    /// Prefix of licence numbers, e.g. "RP".
    pub prefix: String,
    /// A provisional licence may be granted before the first inspection (Cap. 633).
    #[serde(default)]
    pub provisional: bool,
}

/// A licence type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LicenceType {
    pub code: String,
    pub name: Text,
    pub ordinance: String,
    pub definition: Definition,
}

impl LicenceType {
    /// The fee lines an application of `kind` pays, and their total in cents.
    pub fn fees_for(&self, kind: &str) -> (Vec<&FeeLine>, i64) {
        let lines: Vec<&FeeLine> =
            self.definition.fees.iter().filter(|f| f.applies_to.iter().any(|a| a == kind)).collect();
        let total = lines.iter().map(|f| f.cents).sum();
        (lines, total)
    }
}

/// Hong Kong dollars from cents, e.g. "HK$3,730.00".
pub fn money(cents: i64) -> String {
    let dollars = cents / 100;
    let mut s = dollars.to_string();
    let mut i = s.len() as i64 - 3;
    while i > 0 {
        s.insert(i as usize, ',');
        i -= 3;
    }
    format!("HK${s}.{:02}", cents % 100)
}

/// The process that handles every built-in licence type.
pub const PROCESS: &str = "regulatory_licence";

fn doc(code: &str, en: &str, zh: &str) -> DocumentRequirement {
    DocumentRequirement { code: code.into(), name: Text::new(en, zh), responsible_certificate: false }
}

fn cert(code: &str, en: &str, zh: &str) -> DocumentRequirement {
    DocumentRequirement { responsible_certificate: true, ..doc(code, en, zh) }
}

fn fee(code: &str, en: &str, zh: &str, dollars: i64, applies_to: &[&str]) -> FeeLine {
    FeeLine {
        code: code.into(),
        name: Text::new(en, zh),
        cents: dollars * 100,
        applies_to: applies_to.iter().map(|s| s.to_string()).collect(),
    }
}

/// The licence types PHOS ships with (seeded once; staff edits are kept).
pub fn builtin() -> Vec<LicenceType> {
    let plan = doc("floor_plan", "Floor plan of the premises", "處所平面圖");
    let br = doc("br_certificate", "Business registration certificate", "商業登記證");
    vec![
        LicenceType {
            code: "pharmacy_retail".into(),
            name: Text::new("Authorized seller of poisons (retail pharmacy)", "獲授權毒藥銷售商（零售藥房）"),
            ordinance: "Cap. 138".into(),
            definition: Definition {
                documents: vec![
                    br.clone(),
                    plan.clone(),
                    cert("pharmacist_certificate", "Registered pharmacist's certificate", "註冊藥劑師證明書"),
                ],
                conditions: vec![
                    Text::new(
                        "A registered pharmacist is present whenever Part 1 poisons are sold.",
                        "出售第1部毒藥時，須有註冊藥劑師在場。",
                    ),
                    Text::new("Poisons are kept in a locked receptacle.", "毒藥須存放於上鎖的容器內。"),
                ],
                fees: vec![
                    fee("application", "Application fee", "申請費", 1_530, &["new"]),
                    fee("licence", "Licence fee (12 months)", "牌照費（12個月）", 2_200, &["new", "renew"]),
                    fee("amendment", "Amendment fee", "修訂費", 390, &["amend"]),
                ],
                validity_months: 12,
                renewal_window_days: 90,
                statutory_days: 30,
                process: PROCESS.into(),
                register: Some("pharmacist".into()),
                risk_class: 3,
                skill: "pharmacy".into(),
                prefix: "RP".into(),
                provisional: false,
            },
        },
        LicenceType {
            code: "pharmacy_wholesale".into(),
            name: Text::new("Wholesale dealer licence", "批發商牌照"),
            ordinance: "Cap. 138".into(),
            definition: Definition {
                documents: vec![
                    br.clone(),
                    plan.clone(),
                    doc("storage_sop", "Storage and distribution procedures", "貯存及分銷程序"),
                ],
                conditions: vec![Text::new(
                    "Records of every sale are kept for two years.",
                    "每宗銷售紀錄須保存兩年。",
                )],
                fees: vec![
                    fee("application", "Application fee", "申請費", 1_850, &["new"]),
                    fee("licence", "Licence fee (12 months)", "牌照費（12個月）", 3_100, &["new", "renew"]),
                    fee("amendment", "Amendment fee", "修訂費", 390, &["amend"]),
                ],
                validity_months: 12,
                renewal_window_days: 90,
                statutory_days: 30,
                process: PROCESS.into(),
                register: None,
                risk_class: 2,
                skill: "pharmacy".into(),
                prefix: "WD".into(),
                provisional: false,
            },
        },
        LicenceType {
            code: "cm_retail".into(),
            name: Text::new("Retailer of Chinese herbal medicines", "中藥材零售商牌照"),
            ordinance: "Cap. 549".into(),
            definition: Definition {
                documents: vec![br.clone(), plan.clone()],
                conditions: vec![Text::new(
                    "Poisonous Chinese herbal medicines are stored apart and labelled.",
                    "毒性中藥材須分開存放並加上標籤。",
                )],
                fees: vec![
                    fee("application", "Application fee", "申請費", 1_160, &["new"]),
                    fee("licence", "Licence fee (3 years)", "牌照費（3年）", 2_310, &["new", "renew"]),
                    fee("amendment", "Amendment fee", "修訂費", 320, &["amend"]),
                ],
                validity_months: 36,
                renewal_window_days: 90,
                statutory_days: 45,
                process: PROCESS.into(),
                register: None,
                risk_class: 1,
                skill: "chinese_medicine".into(),
                prefix: "CM".into(),
                provisional: false,
            },
        },
        LicenceType {
            code: "phf_clinic".into(),
            name: Text::new("Private healthcare facility: clinic", "私營醫療機構：診所"),
            ordinance: "Cap. 633".into(),
            definition: Definition {
                documents: vec![
                    br.clone(),
                    plan.clone(),
                    cert(
                        "cmo_certificate",
                        "Chief medical officer's registration certificate",
                        "醫務行政總監註冊證明書",
                    ),
                    doc("fire_certificate", "Fire service installation certificate", "消防裝置證書"),
                ],
                conditions: vec![Text::new(
                    "The chief medical officer oversees clinical governance.",
                    "醫務行政總監負責監督臨床管治。",
                )],
                fees: vec![
                    fee("application", "Application fee", "申請費", 3_470, &["new"]),
                    fee("licence", "Licence fee (12 months)", "牌照費（12個月）", 4_950, &["new", "renew"]),
                    fee("amendment", "Amendment fee", "修訂費", 860, &["amend"]),
                ],
                validity_months: 12,
                renewal_window_days: 90,
                statutory_days: 60,
                process: PROCESS.into(),
                register: Some("doctor".into()),
                risk_class: 2,
                skill: "healthcare_facility".into(),
                prefix: "PC".into(),
                provisional: true,
            },
        },
        LicenceType {
            code: "phf_day_procedure".into(),
            name: Text::new("Private healthcare facility: day procedure centre", "私營醫療機構：日間醫療中心"),
            ordinance: "Cap. 633".into(),
            definition: Definition {
                documents: vec![
                    br.clone(),
                    plan.clone(),
                    cert(
                        "cmo_certificate",
                        "Chief medical officer's registration certificate",
                        "醫務行政總監註冊證明書",
                    ),
                    doc("infection_plan", "Infection control plan", "感染控制計劃"),
                ],
                conditions: vec![Text::new(
                    "High-risk procedures are performed only in the licensed procedure rooms.",
                    "高風險醫療程序只可在持牌程序室進行。",
                )],
                fees: vec![
                    fee("application", "Application fee", "申請費", 12_240, &["new"]),
                    fee("licence", "Licence fee (12 months)", "牌照費（12個月）", 18_880, &["new", "renew"]),
                    fee("amendment", "Amendment fee", "修訂費", 1_420, &["amend"]),
                ],
                validity_months: 12,
                renewal_window_days: 90,
                statutory_days: 60,
                process: PROCESS.into(),
                register: Some("doctor".into()),
                risk_class: 3,
                skill: "healthcare_facility".into(),
                prefix: "DP".into(),
                provisional: true,
            },
        },
        LicenceType {
            code: "phf_hospital".into(),
            name: Text::new("Private healthcare facility: hospital", "私營醫療機構：醫院"),
            ordinance: "Cap. 633".into(),
            definition: Definition {
                documents: vec![
                    br,
                    plan,
                    cert(
                        "cmo_certificate",
                        "Chief medical officer's registration certificate",
                        "醫務行政總監註冊證明書",
                    ),
                    doc("infection_plan", "Infection control plan", "感染控制計劃"),
                ],
                conditions: vec![Text::new(
                    "A complaints-handling officer is designated and published.",
                    "須指定並公布處理投訴的人員。",
                )],
                fees: vec![
                    fee("application", "Application fee", "申請費", 211_800, &["new"]),
                    fee("licence", "Licence fee (12 months)", "牌照費（12個月）", 159_500, &["new", "renew"]),
                    fee("amendment", "Amendment fee", "修訂費", 5_300, &["amend"]),
                ],
                validity_months: 12,
                renewal_window_days: 90,
                statutory_days: 90,
                process: PROCESS.into(),
                register: Some("doctor".into()),
                risk_class: 3,
                skill: "healthcare_facility".into(),
                prefix: "HO".into(),
                provisional: true,
            },
        },
    ]
}

/// Seeds the built-in licence types that are missing; returns how many were added.
pub async fn seed(db: &kernel::Db) -> sqlx::Result<usize> {
    let now = kernel::now_ms();
    let mut tx = db.begin().await?;
    let mut added = 0;
    for t in builtin() {
        added += usize::from(store::insert_missing(&mut tx, &t, now).await?);
    }
    tx.commit().await?;
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_sum_by_kind() {
        let t = builtin().into_iter().find(|t| t.code == "pharmacy_retail").unwrap();
        let (lines, total) = t.fees_for("new");
        assert_eq!(lines.len(), 2);
        assert_eq!(total, (1_530 + 2_200) * 100);
        assert_eq!(t.fees_for("renew").1, 2_200 * 100);
        assert_eq!(t.fees_for("amend").1, 390 * 100);
    }

    #[test]
    fn money_is_written_in_dollars() {
        assert_eq!(money(373_000), "HK$3,730.00");
        assert_eq!(money(21_180_000), "HK$211,800.00");
        assert_eq!(money(5), "HK$0.05");
    }

    #[test]
    fn builtin_codes_and_prefixes_are_unique() {
        let b = builtin();
        let codes: std::collections::HashSet<_> = b.iter().map(|t| &t.code).collect();
        let prefixes: std::collections::HashSet<_> = b.iter().map(|t| &t.definition.prefix).collect();
        assert_eq!(codes.len(), b.len());
        assert_eq!(prefixes.len(), b.len());
    }
}
