//! What an application must be before it may be submitted, as pure checks that list every
//! problem at once: required answers, valid dates, required documents, the responsible person
//! on the right register and not answering for another premises, the premises address resolving
//! to the chosen Hong Kong district, the responsible person's certificate naming them (when it
//! could be read).

use chrono::NaiveDate;

use super::Form;
use crate::licence_types::LicenceType;
use crate::premises::Professional;

pub use crate::errors::Problem;

fn p(field: &str, code: &str) -> Problem {
    Problem { field: field.into(), code: code.into() }
}

/// What the checks need from the database, read before they run.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The responsible person's register entry, if the number was found.
    pub professional: Option<Professional>,
    /// The licence number the responsible person already answers for, if any.
    pub responsible_elsewhere: Option<String>,
    /// Requirement codes of the documents uploaded.
    pub documents: Vec<String>,
    /// For the responsible person's certificate: what reading it found (not_checked, matched,
    /// not_matched, unreadable).
    pub certificate_reading: Option<String>,
}

/// Areas and streets by district (EN and ZH), for resolving an address to a district.
const GAZETTEER: &[(&str, &[&str])] = &[
    (
        "CW",
        &[
            "central",
            "sheung wan",
            "sai ying pun",
            "kennedy town",
            "mid-levels",
            "the peak",
            "des voeux road",
            "中環",
            "上環",
            "西營盤",
            "堅尼地城",
            "半山",
            "德輔道",
        ],
    ),
    (
        "WC",
        &[
            "wan chai",
            "causeway bay",
            "happy valley",
            "hennessy road",
            "tai hang",
            "灣仔",
            "銅鑼灣",
            "跑馬地",
            "軒尼詩道",
            "大坑",
        ],
    ),
    (
        "E",
        &[
            "north point",
            "quarry bay",
            "shau kei wan",
            "chai wan",
            "tai koo",
            "king's road",
            "北角",
            "鰂魚涌",
            "筲箕灣",
            "柴灣",
            "太古",
            "英皇道",
        ],
    ),
    (
        "S",
        &[
            "aberdeen",
            "ap lei chau",
            "stanley",
            "repulse bay",
            "wong chuk hang",
            "pok fu lam",
            "香港仔",
            "鴨脷洲",
            "赤柱",
            "淺水灣",
            "黃竹坑",
            "薄扶林",
        ],
    ),
    (
        "YTM",
        &[
            "mong kok",
            "yau ma tei",
            "tsim sha tsui",
            "jordan",
            "tai kok tsui",
            "nathan road",
            "shanghai street",
            "sai yeung choi street",
            "旺角",
            "油麻地",
            "尖沙咀",
            "佐敦",
            "大角咀",
            "彌敦道",
            "上海街",
            "西洋菜街",
        ],
    ),
    (
        "SSP",
        &[
            "sham shui po",
            "cheung sha wan",
            "lai chi kok",
            "shek kip mei",
            "nam cheong",
            "深水埗",
            "長沙灣",
            "荔枝角",
            "石硤尾",
            "南昌",
        ],
    ),
    (
        "KC",
        &[
            "kowloon city",
            "to kwa wan",
            "hung hom",
            "ho man tin",
            "kowloon tong",
            "sha tsui road",
            "九龍城",
            "土瓜灣",
            "紅磡",
            "何文田",
            "九龍塘",
        ],
    ),
    (
        "WTS",
        &[
            "wong tai sin",
            "diamond hill",
            "san po kong",
            "tsz wan shan",
            "lok fu",
            "po kong village road",
            "黃大仙",
            "鑽石山",
            "新蒲崗",
            "慈雲山",
            "樂富",
            "蒲崗村道",
        ],
    ),
    (
        "KT",
        &[
            "kwun tong",
            "ngau tau kok",
            "lam tin",
            "yau tong",
            "kowloon bay",
            "hoi yuen road",
            "觀塘",
            "牛頭角",
            "藍田",
            "油塘",
            "九龍灣",
            "開源道",
        ],
    ),
    ("KWT", &["kwai chung", "tsing yi", "kwai fong", "lai king", "葵涌", "青衣", "葵芳", "荔景"]),
    (
        "TW",
        &[
            "tsuen wan",
            "sham tseng",
            "ma wan",
            "tsuen wan market street",
            "castle peak road",
            "荃灣",
            "深井",
            "馬灣",
            "荃灣街市街",
            "青山公路",
        ],
    ),
    ("TM", &["tuen mun", "so kwun wat", "siu hong", "屯門", "掃管笏", "兆康"]),
    ("YL", &["yuen long", "tin shui wai", "kam tin", "hung shui kiu", "元朗", "天水圍", "錦田", "洪水橋"]),
    ("N", &["sheung shui", "fanling", "sha tau kok", "san hui street", "上水", "粉嶺", "沙頭角", "新墟街"]),
    ("TP", &["tai po", "tai wo", "tai po road", "大埔", "太和", "大埔道"]),
    (
        "ST",
        &[
            "sha tin",
            "ma on shan",
            "fo tan",
            "tai wai",
            "ma on shan road",
            "沙田",
            "馬鞍山",
            "火炭",
            "大圍",
            "馬鞍山路",
        ],
    ),
    (
        "SK",
        &[
            "sai kung",
            "tseung kwan o",
            "hang hau",
            "po lam",
            "chung on street",
            "西貢",
            "將軍澳",
            "坑口",
            "寶琳",
            "眾安街",
        ],
    ),
    (
        "IS",
        &[
            "tung chung",
            "lantau",
            "cheung chau",
            "lamma",
            "discovery bay",
            "mui wo",
            "東涌",
            "大嶼山",
            "長洲",
            "南丫島",
            "愉景灣",
            "梅窩",
        ],
    ),
];

/// The districts an address names (by the areas and streets it mentions).
pub fn districts_named(address: &str) -> Vec<&'static str> {
    let a = address.to_lowercase();
    let mut out: Vec<&'static str> = Vec::new();
    for (code, names) in GAZETTEER {
        if names.iter().any(|n| a.contains(n)) && !out.contains(code) {
            out.push(code);
        }
    }
    out
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Every problem that stops `form` from being submitted for licence type `t` on `today`.
pub fn check(t: &LicenceType, kind: &str, form: &Form, facts: &Facts, today: NaiveDate) -> Vec<Problem> {
    let mut out = Vec::new();
    if blank(&form.licensee_name_en) && blank(&form.licensee_name_zh) {
        out.push(p("licensee_name_en", "licensee_name_missing"));
    }
    if form.licensee_kind == "company" {
        let br = form.br_number.trim();
        if br.is_empty() {
            out.push(p("br_number", "br_number_missing"));
        } else if br.len() != 8 || !br.chars().all(|c| c.is_ascii_digit()) {
            out.push(p("br_number", "br_number_invalid"));
        }
    } else if form.licensee_kind != "individual" {
        out.push(p("licensee_kind", "licensee_kind_missing"));
    }
    if blank(&form.premises_name_en) && blank(&form.premises_name_zh) {
        out.push(p("premises_name_en", "premises_name_missing"));
    }
    if blank(&form.address_en) && blank(&form.address_zh) {
        out.push(p("address_en", "address_missing"));
    } else if kernel::hk::district(&form.district).is_none() {
        out.push(p("district", "district_missing"));
    } else {
        let named = districts_named(&format!("{} {}", form.address_en, form.address_zh));
        if named.is_empty() {
            out.push(p("address_en", "address_unresolved"));
        } else if !named.contains(&form.district.as_str()) {
            out.push(p("district", "address_other_district"));
        }
    }
    match kernel::hk::parse_date(&form.start_date) {
        None if blank(&form.start_date) => out.push(p("start_date", "start_date_missing")),
        None => out.push(p("start_date", "start_date_invalid")),
        Some(d) if d < today => out.push(p("start_date", "start_date_past")),
        Some(d) if (d - today).num_days() > 365 => out.push(p("start_date", "start_date_far")),
        Some(_) => {}
    }
    if let Some(register) = &t.definition.register {
        let number = form.responsible_number.trim();
        if blank(&form.responsible_name) {
            out.push(p("responsible_name", "responsible_name_missing"));
        }
        if number.is_empty() {
            out.push(p("responsible_number", "responsible_number_missing"));
        } else {
            match &facts.professional {
                None => out.push(p("responsible_number", "responsible_not_registered")),
                Some(pro) if pro.register != *register => {
                    out.push(p("responsible_number", "responsible_wrong_register"))
                }
                Some(pro) if pro.status != "registered" => {
                    out.push(p("responsible_number", "responsible_not_in_good_standing"))
                }
                Some(pro) if !same_name(&pro.name_en, &pro.name_zh, &form.responsible_name) => {
                    out.push(p("responsible_name", "responsible_name_differs"))
                }
                Some(_) => {}
            }
            if facts.responsible_elsewhere.is_some() {
                out.push(p("responsible_number", "responsible_elsewhere"));
            }
        }
    }
    if kind != "renew" {
        for d in &t.definition.documents {
            if !facts.documents.iter().any(|c| c == &d.code) {
                out.push(p(&format!("doc_{}", d.code), "document_missing"));
            } else if d.responsible_certificate && facts.certificate_reading.as_deref() == Some("not_matched") {
                out.push(p(&format!("doc_{}", d.code), "certificate_mismatch"));
            }
        }
    }
    out
}

/// Whether `given` is the register's name (EN, case and spacing aside, or ZH).
pub fn same_name(en: &str, zh: &str, given: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let g = norm(given);
    !g.is_empty() && (g == norm(en) || g == norm(zh) || g.replace(' ', "") == zh.replace(' ', ""))
}

/// What reading a certificate found: whether the responsible person's name (EN or ZH) and
/// registration number appear in the text.
pub fn certificate_matches(text: &str, name_en: &str, name_zh: &str, number: &str) -> bool {
    let flat = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    let t = flat(text);
    let num = flat(number);
    let name_ok = (!name_en.trim().is_empty() && t.contains(&flat(name_en)))
        || (!name_zh.trim().is_empty() && t.contains(&flat(name_zh)));
    !num.is_empty() && t.contains(&num) && name_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(code: &str) -> LicenceType {
        crate::licence_types::builtin().into_iter().find(|t| t.code == code).unwrap()
    }

    fn form() -> Form {
        Form {
            licensee_kind: "company".into(),
            licensee_name_en: "Harbour Pharmacy Limited".into(),
            licensee_name_zh: "海港藥房有限公司".into(),
            br_number: "12345678".into(),
            premises_name_en: "Harbour Pharmacy".into(),
            premises_name_zh: "海港藥房".into(),
            address_en: "Shop 3, G/F, 120 Nathan Road, Tsim Sha Tsui".into(),
            address_zh: String::new(),
            district: "YTM".into(),
            responsible_name: "CHAN Tai Man".into(),
            responsible_number: "P10001".into(),
            start_date: "2027-01-15".into(),
        }
    }

    fn facts() -> Facts {
        Facts {
            professional: Some(Professional {
                register: "pharmacist".into(),
                number: "P10001".into(),
                name_en: "CHAN Tai Man".into(),
                name_zh: "陳大文".into(),
                status: "registered".into(),
            }),
            responsible_elsewhere: None,
            documents: vec!["br_certificate".into(), "floor_plan".into(), "pharmacist_certificate".into()],
            certificate_reading: Some("matched".into()),
        }
    }

    fn today() -> NaiveDate {
        "2026-12-08".parse().unwrap()
    }

    fn codes(v: &[Problem]) -> Vec<&str> {
        v.iter().map(|p| p.code.as_str()).collect()
    }

    #[test]
    fn a_complete_application_passes() {
        assert_eq!(check(&t("pharmacy_retail"), "new", &form(), &facts(), today()), vec![]);
    }

    #[test]
    fn everything_missing_is_listed_at_once() {
        let empty = Form { licensee_kind: "company".into(), ..Form::default() };
        let f = Facts::default();
        let c = check(&t("pharmacy_retail"), "new", &empty, &f, today());
        assert_eq!(
            codes(&c),
            vec![
                "licensee_name_missing",
                "br_number_missing",
                "premises_name_missing",
                "address_missing",
                "start_date_missing",
                "responsible_name_missing",
                "responsible_number_missing",
                "document_missing",
                "document_missing",
                "document_missing",
            ]
        );
    }

    #[test]
    fn consistency_checks() {
        let mut f = form();
        f.district = "ST".into();
        f.start_date = "01/12/2026".into();
        f.br_number = "1234".into();
        let mut x = facts();
        x.responsible_elsewhere = Some("RP-2025-ABCDEF".into());
        x.certificate_reading = Some("not_matched".into());
        let c = check(&t("pharmacy_retail"), "new", &f, &x, today());
        assert_eq!(
            codes(&c),
            vec![
                "br_number_invalid",
                "address_other_district",
                "start_date_past",
                "responsible_elsewhere",
                "certificate_mismatch"
            ]
        );
        f = form();
        f.address_en = "Somewhere nice".into();
        x = facts();
        x.professional.as_mut().unwrap().status = "suspended".into();
        let c = check(&t("pharmacy_retail"), "new", &f, &x, today());
        assert_eq!(codes(&c), vec!["address_unresolved", "responsible_not_in_good_standing"]);
        x = facts();
        x.professional.as_mut().unwrap().register = "doctor".into();
        assert_eq!(
            codes(&check(&t("pharmacy_retail"), "new", &form(), &x, today())),
            vec!["responsible_wrong_register"]
        );
        x = facts();
        x.professional = None;
        assert_eq!(
            codes(&check(&t("pharmacy_retail"), "new", &form(), &x, today())),
            vec!["responsible_not_registered"]
        );
    }

    #[test]
    fn types_without_a_register_do_not_ask_for_a_person() {
        let mut f = form();
        f.responsible_name.clear();
        f.responsible_number.clear();
        let x = Facts { documents: vec!["br_certificate".into(), "floor_plan".into()], ..Facts::default() };
        assert_eq!(check(&t("cm_retail"), "new", &f, &x, today()), vec![]);
    }

    #[test]
    fn addresses_resolve_to_districts() {
        assert_eq!(districts_named("G/F, 88 Hennessy Road, Wan Chai"), vec!["WC"]);
        assert_eq!(districts_named("沙田大圍積福街10號"), vec!["ST"]);
        assert!(districts_named("1 Nowhere Lane").is_empty());
    }

    #[test]
    fn certificates_are_matched_on_name_and_number() {
        let text = "PHARMACY AND POISONS BOARD\nCertificate of Registration\nName: CHAN TAI MAN\nReg. No. P 10001";
        assert!(certificate_matches(text, "Chan Tai Man", "陳大文", "P10001"));
        assert!(!certificate_matches(text, "Chan Tai Man", "陳大文", "P10002"));
        assert!(!certificate_matches(text, "Wong Siu Ming", "黃小明", "P10001"));
        assert!(certificate_matches("註冊藥劑師 陳大文 P10001", "", "陳大文", "P10001"));
    }
}
