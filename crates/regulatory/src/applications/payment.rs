//! Payments through a provider adapter. PHOS ships one provider: [`FakeProvider`], a **fake**
//! for the demo and the tests that takes no money and always succeeds for amounts it accepts.
//! A real provider (FPS, a card acquirer) is another implementation of [`Provider`].

/// A charge accepted by a provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The provider's reference for the payment.
    pub reference: String,
    pub provider: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("the payment was declined")]
    Declined,
}

/// A payment provider.
pub trait Provider: Send + Sync {
    fn name(&self) -> &'static str;
    /// Charges `cents` Hong Kong cents for `case_ref`.
    fn charge(&self, case_ref: &str, cents: i64) -> Result<Receipt, PaymentError>;
}

/// The fake provider of the demo and the tests: no money moves. It declines negative amounts
/// and, so that the declined path can be tried, any amount ending in 13 cents.
pub struct FakeProvider;

impl Provider for FakeProvider {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn charge(&self, case_ref: &str, cents: i64) -> Result<Receipt, PaymentError> {
        if cents < 0 || cents % 100 == 13 {
            return Err(PaymentError::Declined);
        }
        Ok(Receipt { reference: format!("FAKE-{case_ref}-{cents}"), provider: "fake" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fake_provider_is_named_and_declines_on_cue() {
        let p = FakeProvider;
        assert_eq!(p.name(), "fake");
        assert_eq!(p.charge("REG-2026-X", 373_000).unwrap().reference, "FAKE-REG-2026-X-373000");
        assert_eq!(p.charge("REG-2026-X", 113), Err(PaymentError::Declined));
    }
}
