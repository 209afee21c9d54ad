//! Hong Kong Identity Card numbers: parsing, check digit, masking and keyed hashing.
//!
//! Format: one or two letters, six digits, and a check digit (0–9 or A) usually written in
//! brackets, e.g. `A123456(3)`. The check digit makes the weighted sum (a space stands for a
//! missing second letter, value 36; letters A–Z are 10–35; weights 9 down to 1) divisible by 11.

use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hkid {
    prefix: String,
    digits: String,
    check: char,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HkidError {
    #[error("an HKID number is one or two letters, six digits and a check digit, like A123456(3)")]
    Format,
    #[error("the check digit does not match; please check the number")]
    CheckDigit,
}

fn letter_value(c: char) -> u32 {
    c as u32 - 'A' as u32 + 10
}

/// The check digit for a prefix (1–2 uppercase letters) and six digits.
pub fn check_digit(prefix: &str, digits: &str) -> char {
    let mut sum = 0u32;
    let letters: Vec<char> = prefix.chars().collect();
    let (first, second) = match letters.as_slice() {
        [a] => (36, letter_value(*a)),
        [a, b] => (letter_value(*a), letter_value(*b)),
        _ => (36, 36),
    };
    sum += first * 9 + second * 8;
    for (i, d) in digits.chars().enumerate() {
        sum += d.to_digit(10).unwrap_or(0) * (7 - i as u32);
    }
    match (11 - sum % 11) % 11 {
        10 => 'A',
        n => char::from_digit(n, 10).expect("0..=9"),
    }
}

impl Hkid {
    /// Parses `A123456(3)`, `A1234563`, `a123456 3`, `AB987654(2)` …, checking the digit.
    pub fn parse(input: &str) -> Result<Hkid, HkidError> {
        let s: String =
            input.chars().filter(|c| !matches!(c, ' ' | '(' | ')' | '-')).map(|c| c.to_ascii_uppercase()).collect();
        let letters = s.chars().take_while(|c| c.is_ascii_uppercase()).count();
        if !(1..=2).contains(&letters) || s.len() != letters + 7 {
            return Err(HkidError::Format);
        }
        let prefix = &s[..letters];
        let digits = &s[letters..letters + 6];
        let check = s[letters + 6..].chars().next().ok_or(HkidError::Format)?;
        if !digits.chars().all(|c| c.is_ascii_digit()) || !(check.is_ascii_digit() || check == 'A') {
            return Err(HkidError::Format);
        }
        if check_digit(prefix, digits) != check {
            return Err(HkidError::CheckDigit);
        }
        Ok(Hkid { prefix: prefix.into(), digits: digits.into(), check })
    }

    /// Builds a number from its parts, computing the check digit.
    pub fn from_parts(prefix: &str, digits: &str) -> Hkid {
        Hkid { prefix: prefix.into(), digits: digits.into(), check: check_digit(prefix, digits) }
    }

    /// `A1234563`: the form used for matching and hashing.
    pub fn canonical(&self) -> String {
        format!("{}{}{}", self.prefix, self.digits, self.check)
    }

    /// `A123456(3)`.
    pub fn display(&self) -> String {
        format!("{}{}({})", self.prefix, self.digits, self.check)
    }

    /// `A123***(3)`: what PHOS shows.
    pub fn masked(&self) -> String {
        format!("{}{}***({})", self.prefix, &self.digits[..3], self.check)
    }

    /// Keyed hash for matching without storing the number.
    pub fn hmac(&self, key: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(self.canonical().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_numbers() {
        // Worked examples: A123456(3) is the Immigration Department's sample; the others were
        // computed by hand with the weights 9..2 (Z683365 sums to 749 ≡ 1 mod 11, so its digit is A).
        for s in ["A123456(3)", "a1234563", "C668668(9)", "AB987654(3)", "Z683365(A)"] {
            let parsed = Hkid::parse(s);
            assert!(parsed.is_ok(), "{s}: {parsed:?}");
        }
        assert_eq!(Hkid::parse("A123456(3)").unwrap().masked(), "A123***(3)");
        assert_eq!(Hkid::parse("a 123456 (3)").unwrap().display(), "A123456(3)");
    }

    #[test]
    fn check_digit_a_and_zero() {
        // Find by construction: the digit is 'A' when the remainder is 1, '0' when it is 0.
        let a = Hkid::from_parts("G", "111111");
        let sum = 36 * 9 + 16 * 8 + 7 + 6 + 5 + 4 + 3 + 2;
        let expect = match (11 - sum % 11) % 11 {
            10 => 'A',
            n => char::from_digit(n, 10).unwrap(),
        };
        assert_eq!(a.check, expect);
        assert!(Hkid::parse(&a.display()).is_ok());
    }

    #[test]
    fn invalid_numbers() {
        assert_eq!(Hkid::parse("A123456(4)"), Err(HkidError::CheckDigit));
        assert_eq!(Hkid::parse("AB987654(2)"), Err(HkidError::CheckDigit));
        assert_eq!(Hkid::parse("Z683365(5)"), Err(HkidError::CheckDigit));
        assert_eq!(Hkid::parse("A12345(3)"), Err(HkidError::Format));
        assert_eq!(Hkid::parse("ABC123456(3)"), Err(HkidError::Format));
        assert_eq!(Hkid::parse("1234567"), Err(HkidError::Format));
        assert_eq!(Hkid::parse("A123456(B)"), Err(HkidError::Format));
        assert_eq!(Hkid::parse(""), Err(HkidError::Format));
    }

    #[test]
    fn hmac_is_keyed() {
        let h = Hkid::parse("A123456(3)").unwrap();
        assert_eq!(h.hmac(b"k1"), Hkid::parse("a1234563").unwrap().hmac(b"k1"));
        assert_ne!(h.hmac(b"k1"), h.hmac(b"k2"));
    }
}
