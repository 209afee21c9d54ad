//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, 6 digits, 30 s
//! steps), base32 secrets (RFC 4648) and recovery codes: pure functions, written here over
//! `sha1_smol` (HMAC by hand, RFC 2104) and checked against the RFCs' test vectors.

use rand::RngCore;

use crate::identity::Role;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// Roles that must sign in with a second factor.
pub const REQUIRED_FOR: [Role; 3] = [Role::Admin, Role::Auditor, Role::DataSteward];

/// Whether a member of staff with these roles must use a second factor.
pub fn required(roles: &[Role]) -> bool {
    roles.iter().any(|r| REQUIRED_FOR.contains(r))
}

/// HMAC-SHA1 (RFC 2104).
pub fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..20].copy_from_slice(&sha1_smol::Sha1::from(key).digest().bytes());
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = sha1_smol::Sha1::new();
    inner.update(&block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = sha1_smol::Sha1::new();
    outer.update(&block.map(|b| b ^ 0x5c));
    outer.update(&inner.digest().bytes());
    outer.digest().bytes()
}

/// HOTP (RFC 4226) with `digits` digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let mac = hmac_sha1(secret, &counter.to_be_bytes());
    let offset = (mac[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
    format!("{:0width$}", bin % 10u32.pow(digits), width = digits as usize)
}

/// The step of a Unix time in seconds.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The 6-digit code of a secret at a step.
pub fn code_at(secret: &[u8], step: i64) -> String {
    hotp(secret, step.max(0) as u64, DIGITS)
}

/// The step whose code `code` is, looking one step either side of `now_step` (clock drift),
/// newest first. Compared in constant time.
pub fn matching_step(secret: &[u8], code: &str, now_step: i64) -> Option<i64> {
    let code = normalise_code(code);
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    [now_step + 1, now_step, now_step - 1]
        .into_iter()
        .find(|s| crate::identity::session::same_token(&code_at(secret, *s), &code))
}

/// A code as typed, without spaces or hyphens.
pub fn normalise_code(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_lowercase()
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 (RFC 4648) without padding, as authenticator apps expect.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(ALPHABET[((n >> (35 - 5 * i)) & 31) as usize] as char);
        }
    }
    out
}

/// Decodes base32 (case-insensitive, spaces and padding ignored); `None` on a bad character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u64, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = ALPHABET.iter().position(|a| *a as char == c.to_ascii_uppercase())? as u64;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A new random secret, base32.
pub fn new_secret() -> String {
    let mut b = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut b);
    base32_encode(&b)
}

/// The `otpauth://` URI that authenticator apps read (Key URI format).
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let enc = crate::web::url::percent_encode;
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// New recovery codes, `xxxx-xxxx` in lower-case base32 letters and digits (40 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut b = [0u8; 5];
            rand::rng().fill_bytes(&mut b);
            let s = base32_encode(&b).to_ascii_lowercase();
            format!("{}-{}", &s[..4], &s[4..])
        })
        .collect()
}

/// What a typed code looks like: six digits (a TOTP) or a recovery code.
pub fn is_recovery_code(code: &str) -> bool {
    normalise_code(code).len() == 8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows (8 digits; the secret is the ASCII "12345678901234567890").
    #[test]
    fn rfc6238_appendix_b_sha1() {
        let secret = b"12345678901234567890";
        for (t, expected) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(hotp(secret, step_of(t) as u64, 8), expected, "T = {t}");
        }
    }

    /// RFC 4226 Appendix D: HOTP values for counters 0–9.
    #[test]
    fn rfc4226_appendix_d() {
        let expected =
            ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
        for (c, e) in expected.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", c as u64, 6), *e, "counter {c}");
        }
    }

    /// RFC 2202 test case 6 (a key longer than the block).
    #[test]
    fn hmac_sha1_long_key() {
        let mac = hmac_sha1(&[0xaa; 80], b"Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(hex::encode(mac), "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    }

    /// RFC 4648 section 10 vectors (without padding).
    #[test]
    fn base32_round_trip() {
        for (plain, enc) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), enc);
            assert_eq!(base32_decode(enc).unwrap(), plain.as_bytes());
            assert_eq!(base32_decode(&enc.to_lowercase()).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_decode("MZ1"), None);
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert_eq!(base32_decode(&s).unwrap().len(), SECRET_BYTES);
    }

    #[test]
    fn codes_match_within_one_step() {
        let secret = b"12345678901234567890";
        let now = step_of(1111111109);
        assert_eq!(matching_step(secret, "081804", now), Some(now));
        assert_eq!(matching_step(secret, " 081 804 ", now + 1), Some(now));
        assert_eq!(matching_step(secret, "081804", now + 2), None);
        assert_eq!(matching_step(secret, "12345", now), None);
        assert_eq!(matching_step(secret, "abcdef", now), None);
    }

    #[test]
    fn recovery_codes_and_roles() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 9 && is_recovery_code(c)));
        assert!(!is_recovery_code("123456"));
        assert!(required(&[Role::ClinicStaff, Role::Auditor]));
        assert!(required(&[Role::DataSteward]));
        assert!(!required(&[Role::ClinicStaff, Role::Epidemiologist]));
        assert!(
            otpauth_uri("PHOS", "a@b.hk", "ABC").starts_with("otpauth://totp/PHOS:a%40b.hk?secret=ABC&issuer=PHOS")
        );
    }
}
