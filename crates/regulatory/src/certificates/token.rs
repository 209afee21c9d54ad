//! The certificate token, pure: a compact Ed25519-signed statement about one licence, short
//! enough for a QR code, that anyone holding the published public keys can check from the token
//! alone (no database).
//!
//! Layout (all integers big-endian; the token is the base64url encoding, without padding, of):
//!
//! | bytes          | field                                                                |
//! |----------------|----------------------------------------------------------------------|
//! | 0              | version, 1                                                           |
//! | 1..5           | key id (kid): the first 4 bytes of SHA-256 of the 32-byte public key |
//! | 5..9           | issued at: seconds since 1970-01-01T00:00:00Z (u32)                  |
//! | 9..11          | the licence's issue date: days since 2000-01-01 (u16)                |
//! | 11..13         | the licence's expiry date (its last valid day): days since 2000-01-01 |
//! | 13             | n, then n bytes: the licence number (UTF-8)                          |
//! | …              | t, then t bytes: the licence type code (UTF-8)                       |
//! | …              | p, then p bytes: the premises id (UTF-8)                             |
//! | last 64        | Ed25519 signature of [`CONTEXT`] followed by every byte before it    |
//!
//! The context string is signed but not carried: a signature made for something else (another
//! protocol using the same key) never verifies as a certificate.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The token format's version (byte 0).
pub const VERSION: u8 = 1;
/// Signed before the token's bytes (domain separation).
pub const CONTEXT: &[u8] = b"phos-licence-certificate-v1\0";
/// The longest token string accepted (a valid one is under 300 characters).
pub const MAX_TOKEN_CHARS: usize = 1_000;
const SIG_LEN: usize = 64;
const HEADER_LEN: usize = 13;

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a real date")
}

/// A key id: 8 lower-case hex digits (4 bytes).
pub fn kid_of(public: &[u8; 32]) -> String {
    hex::encode(&Sha256::digest(public)[..4])
}

/// What a certificate token states about a licence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Statement {
    pub number: String,
    pub type_code: String,
    pub premises_id: String,
    /// The licence's issue date.
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    /// The licence's last valid day, as certified.
    #[schema(value_type = String, format = Date)]
    pub expires_on: NaiveDate,
    /// When the token was made, seconds since the Unix epoch.
    pub issued_at: i64,
}

/// A decoded token: its statement and the key it names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Claims {
    #[serde(flatten)]
    pub statement: Statement,
    pub kid: String,
}

/// Why a statement cannot be made into a token.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("field {0} is longer than 255 bytes")]
    TooLong(&'static str),
    #[error("date {0} is outside 2000-01-01 … 2179-06-06")]
    DateOutOfRange(NaiveDate),
    #[error("issued-at {0} is outside the 32-bit range")]
    InstantOutOfRange(i64),
}

/// Why a token is not genuine. Every one of them is answered as "forged".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Forgery {
    /// Not base64url, too short or too long, an unknown version or a field that is not UTF-8.
    Malformed,
    /// Names a key that is not (or no longer) published.
    UnknownKey,
    /// The signature does not match the bytes.
    BadSignature,
}

impl Forgery {
    pub fn code(self) -> &'static str {
        match self {
            Forgery::Malformed => "malformed",
            Forgery::UnknownKey => "unknown_key",
            Forgery::BadSignature => "bad_signature",
        }
    }
}

/// A public key that verifies tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    pub kid: String,
    pub key: [u8; 32],
}

impl PublicKey {
    pub fn of(key: &SigningKey) -> PublicKey {
        let key = key.verifying_key().to_bytes();
        PublicKey { kid: kid_of(&key), key }
    }
}

/// A token that verified: what it says, and whether its expiry date has passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub claims: Claims,
    pub expired: bool,
}

fn day_number(d: NaiveDate) -> Result<u16, EncodeError> {
    let n = (d - epoch()).num_days();
    u16::try_from(n).map_err(|_| EncodeError::DateOutOfRange(d))
}

fn push_field(out: &mut Vec<u8>, name: &'static str, value: &str) -> Result<(), EncodeError> {
    let len = u8::try_from(value.len()).map_err(|_| EncodeError::TooLong(name))?;
    out.push(len);
    out.extend_from_slice(value.as_bytes());
    Ok(())
}

fn signed_message(body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(CONTEXT.len() + body.len());
    m.extend_from_slice(CONTEXT);
    m.extend_from_slice(body);
    m
}

/// The token of `s`, signed with `key`.
pub fn sign(s: &Statement, key: &SigningKey) -> Result<String, EncodeError> {
    let public = key.verifying_key().to_bytes();
    let kid: [u8; 4] = Sha256::digest(public)[..4].try_into().expect("4 bytes");
    let issued_at = u32::try_from(s.issued_at).map_err(|_| EncodeError::InstantOutOfRange(s.issued_at))?;
    let mut body = Vec::with_capacity(HEADER_LEN + 64 + SIG_LEN);
    body.push(VERSION);
    body.extend_from_slice(&kid);
    body.extend_from_slice(&issued_at.to_be_bytes());
    body.extend_from_slice(&day_number(s.issued_on)?.to_be_bytes());
    body.extend_from_slice(&day_number(s.expires_on)?.to_be_bytes());
    push_field(&mut body, "number", &s.number)?;
    push_field(&mut body, "type_code", &s.type_code)?;
    push_field(&mut body, "premises_id", &s.premises_id)?;
    let sig = key.sign(&signed_message(&body));
    body.extend_from_slice(&sig.to_bytes());
    Ok(URL_SAFE_NO_PAD.encode(body))
}

/// Reads a field: its length byte then its bytes, as UTF-8.
fn take_field(bytes: &[u8], at: &mut usize) -> Option<String> {
    let len = *bytes.get(*at)? as usize;
    let start = *at + 1;
    let field = bytes.get(start..start + len)?;
    *at = start + len;
    String::from_utf8(field.to_vec()).ok()
}

/// Decodes a token without checking its signature: its claims, the signed bytes and the
/// signature. Surrounding white space is ignored (a token pasted with a line break).
pub fn decode(token: &str) -> Result<(Claims, Vec<u8>, [u8; SIG_LEN]), Forgery> {
    let token = token.trim();
    if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
        return Err(Forgery::Malformed);
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| Forgery::Malformed)?;
    if bytes.len() < HEADER_LEN + 3 + SIG_LEN || bytes[0] != VERSION {
        return Err(Forgery::Malformed);
    }
    let (body, sig) = bytes.split_at(bytes.len() - SIG_LEN);
    let kid = hex::encode(&body[1..5]);
    let issued_at = u32::from_be_bytes(body[5..9].try_into().expect("4 bytes")) as i64;
    let day = |i: usize| epoch() + chrono::Days::new(u16::from_be_bytes([body[i], body[i + 1]]) as u64);
    let (issued_on, expires_on) = (day(9), day(11));
    let mut at = HEADER_LEN;
    let number = take_field(body, &mut at).ok_or(Forgery::Malformed)?;
    let type_code = take_field(body, &mut at).ok_or(Forgery::Malformed)?;
    let premises_id = take_field(body, &mut at).ok_or(Forgery::Malformed)?;
    if at != body.len() {
        return Err(Forgery::Malformed);
    }
    let claims =
        Claims { statement: Statement { number, type_code, premises_id, issued_on, expires_on, issued_at }, kid };
    Ok((claims, body.to_vec(), sig.try_into().expect("64 bytes")))
}

/// Checks a token against the published keys: genuine (and whether its expiry date is before
/// `today`), or why it is forged.
pub fn verify(token: &str, keys: &[PublicKey], today: NaiveDate) -> Result<Checked, Forgery> {
    let (claims, body, sig) = decode(token)?;
    let key = keys.iter().find(|k| k.kid == claims.kid).ok_or(Forgery::UnknownKey)?;
    let key = VerifyingKey::from_bytes(&key.key).map_err(|_| Forgery::UnknownKey)?;
    key.verify_strict(&signed_message(&body), &Signature::from_bytes(&sig)).map_err(|_| Forgery::BadSignature)?;
    let expired = claims.statement.expires_on < today;
    Ok(Checked { claims, expired })
}

/// A new signing key from 32 random bytes.
pub fn new_signing_key() -> SigningKey {
    use rand::RngCore;
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    SigningKey::from_bytes(&seed)
}

/// Wraps (or, applied again, unwraps) a private key's 32-byte seed for storage: XOR with
/// HMAC-SHA256(`secret`, "phos-cert-key-wrap:" + kid). Each kid is used once, so the pad is
/// used once; without `secret` (kept apart, in the settings table) the stored value says
/// nothing about the key.
pub fn wrap_seed(secret: &[u8], kid: &str, seed: &[u8; 32]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"phos-cert-key-wrap:");
    mac.update(kid.as_bytes());
    let pad = mac.finalize().into_bytes();
    let mut out = [0u8; 32];
    for i in 0..32 {
        out[i] = seed[i] ^ pad[i];
    }
    out
}

/// The raw bytes of a token (None if it is not base64url).
pub fn bytes_of(token: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(token.trim()).ok()
}

/// The token of raw bytes.
pub fn from_bytes(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The public key in the JWK form (RFC 8037): `x` is the base64url of the 32 bytes.
pub fn jwk_x(key: &[u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// The 32 bytes of a JWK `x`.
pub fn from_jwk_x(x: &str) -> Option<[u8; 32]> {
    URL_SAFE_NO_PAD.decode(x).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32])
    }

    fn statement() -> Statement {
        Statement {
            number: "RP-2026-7K3M9Q".into(),
            type_code: "pharmacy".into(),
            premises_id: "0193f0a2-7b1c-7d2e-9f00-1234567890ab".into(),
            issued_on: d("2026-01-15"),
            expires_on: d("2027-01-14"),
            issued_at: 1_796_000_000,
        }
    }

    #[test]
    fn round_trip_and_size() {
        let k = key(7);
        let t = sign(&statement(), &k).unwrap();
        let c = verify(&t, &[PublicKey::of(&k)], d("2026-06-01")).unwrap();
        assert_eq!(c.claims.statement, statement());
        assert_eq!(c.claims.kid, PublicKey::of(&k).kid);
        assert!(!c.expired);
        // 13 header + 15 + 9 + 37 field bytes + 64 signature = 138 bytes -> 184 characters.
        assert_eq!(t.len(), 184, "{t}");
        assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn a_flipped_bit_anywhere_is_forged() {
        let k = key(7);
        let keys = [PublicKey::of(&k)];
        let bytes = URL_SAFE_NO_PAD.decode(sign(&statement(), &k).unwrap()).unwrap();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                let r = verify(&URL_SAFE_NO_PAD.encode(&b), &keys, d("2026-06-01"));
                assert!(r.is_err(), "byte {i} bit {bit} still verified");
            }
        }
    }

    #[test]
    fn which_forgery() {
        let k = key(7);
        let keys = [PublicKey::of(&k)];
        let t = sign(&statement(), &k).unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(&t).unwrap();
        // The licence number's first byte: still decodes, the signature fails.
        bytes[HEADER_LEN + 1] ^= 0x01;
        assert_eq!(verify(&URL_SAFE_NO_PAD.encode(&bytes), &keys, d("2026-06-01")), Err(Forgery::BadSignature));
        assert_eq!(verify(&t[..t.len() - 2], &keys, d("2026-06-01")).unwrap_err(), Forgery::Malformed);
        assert_eq!(verify("not a token!", &keys, d("2026-06-01")), Err(Forgery::Malformed));
        assert_eq!(verify("", &keys, d("2026-06-01")), Err(Forgery::Malformed));
        assert_eq!(verify(&"A".repeat(2000), &keys, d("2026-06-01")), Err(Forgery::Malformed));
        // Extra bytes before the signature.
        let mut longer = URL_SAFE_NO_PAD.decode(&t).unwrap();
        longer.insert(60, 0);
        assert_eq!(verify(&URL_SAFE_NO_PAD.encode(&longer), &keys, d("2026-06-01")), Err(Forgery::Malformed));
        // Surrounding white space (a pasted token) is fine.
        assert!(verify(&format!("  {t}\n"), &keys, d("2026-06-01")).is_ok());
    }

    #[test]
    fn unknown_kid_is_forged() {
        let t = sign(&statement(), &key(7)).unwrap();
        assert_eq!(verify(&t, &[PublicKey::of(&key(8))], d("2026-06-01")), Err(Forgery::UnknownKey));
        assert_eq!(verify(&t, &[], d("2026-06-01")), Err(Forgery::UnknownKey));
        // A key published under the right kid but with other bytes: the signature fails.
        let wrong = PublicKey { kid: PublicKey::of(&key(7)).kid, key: key(8).verifying_key().to_bytes() };
        assert_eq!(verify(&t, &[wrong], d("2026-06-01")), Err(Forgery::BadSignature));
    }

    #[test]
    fn expiry_is_read_from_the_token() {
        let k = key(7);
        let keys = [PublicKey::of(&k)];
        let t = sign(&statement(), &k).unwrap();
        assert!(!verify(&t, &keys, d("2027-01-14")).unwrap().expired, "valid through its last day");
        assert!(verify(&t, &keys, d("2027-01-15")).unwrap().expired);
    }

    #[test]
    fn rotation_keeps_older_published_keys_working() {
        let (old, new) = (key(1), key(2));
        let before = sign(&statement(), &old).unwrap();
        let after = sign(&statement(), &new).unwrap();
        let published = [PublicKey::of(&new), PublicKey::of(&old)];
        assert!(verify(&before, &published, d("2026-06-01")).is_ok());
        assert!(verify(&after, &published, d("2026-06-01")).is_ok());
        // Once the old key is removed, its tokens no longer verify.
        assert_eq!(verify(&before, &published[..1], d("2026-06-01")), Err(Forgery::UnknownKey));
    }

    #[test]
    fn field_limits() {
        let k = key(7);
        let long = Statement { number: "X".repeat(256), ..statement() };
        assert_eq!(sign(&long, &k), Err(EncodeError::TooLong("number")));
        let early = Statement { issued_on: d("1999-12-31"), ..statement() };
        assert!(matches!(sign(&early, &k), Err(EncodeError::DateOutOfRange(_))));
        // Chinese in a field is UTF-8 and round-trips.
        let zh = Statement { premises_id: "處所-1".into(), ..statement() };
        let t = sign(&zh, &k).unwrap();
        assert_eq!(verify(&t, &[PublicKey::of(&k)], d("2026-06-01")).unwrap().claims.statement.premises_id, "處所-1");
    }

    #[test]
    fn seeds_wrap_and_unwrap() {
        let seed = [9u8; 32];
        let w = wrap_seed(b"secret", "abcd0123", &seed);
        assert_ne!(w, seed);
        assert_eq!(wrap_seed(b"secret", "abcd0123", &w), seed);
        assert_ne!(wrap_seed(b"other", "abcd0123", &w), seed);
        assert_ne!(wrap_seed(b"secret", "abcd0124", &seed), w, "another kid, another pad");
    }

    #[test]
    fn jwk_x_round_trips() {
        let k = key(3).verifying_key().to_bytes();
        assert_eq!(from_jwk_x(&jwk_x(&k)), Some(k));
        assert_eq!(jwk_x(&k).len(), 43);
    }

    #[test]
    fn rfc8032_test_vector_1() {
        // RFC 8032 section 7.1, TEST 1: the dalek key is standard Ed25519.
        let seed: [u8; 32] = hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
            .unwrap()
            .try_into()
            .unwrap();
        let k = SigningKey::from_bytes(&seed);
        assert_eq!(
            hex::encode(k.verifying_key().to_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex::encode(k.sign(b"").to_bytes()),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }
}
