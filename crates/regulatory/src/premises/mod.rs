//! Regulated premises: where a licence is held, with its address, district and coordinates.

pub mod store;

use serde::Serialize;

/// A regulated place.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Premises {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub address_en: String,
    pub address_zh: String,
    /// District code (kernel::hk).
    pub district: String,
    pub lat: f64,
    pub lon: f64,
    /// Annual volume indicator, 1 (small) … 5 (large).
    pub volume: i64,
    pub created_at: i64,
}

impl Premises {
    pub fn name(&self, locale: kernel::i18n::Locale) -> &str {
        match locale {
            kernel::i18n::Locale::ZhHant => &self.name_zh,
            kernel::i18n::Locale::En => &self.name_en,
        }
    }

    pub fn address(&self, locale: kernel::i18n::Locale) -> &str {
        match locale {
            kernel::i18n::Locale::ZhHant => &self.address_zh,
            kernel::i18n::Locale::En => &self.address_en,
        }
    }
}

/// A company or person holding licences.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Licensee {
    pub id: String,
    /// company or individual.
    pub kind: String,
    pub name_en: String,
    pub name_zh: String,
    pub br_number: Option<String>,
    /// The citizen account that acts for it on the portal.
    pub account: Option<String>,
    pub created_at: i64,
}

/// An entry of a professional register of the synthetic world.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Professional {
    /// pharmacist, cmp or doctor.
    pub register: String,
    pub number: String,
    pub name_en: String,
    pub name_zh: String,
    /// registered, suspended or removed.
    pub status: String,
}
