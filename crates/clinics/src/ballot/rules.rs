//! The ballot for over-subscribed sessions: pure and verifiable.
//!
//! Before registration closes the department publishes a **commitment**, the SHA-256 of a secret
//! seed. After the draw it publishes the seed. Every registrant's place in the draw is
//! `SHA-256(seed ‖ registrant id)`: a key nobody can predict before the seed is revealed and
//! anybody can recompute after. The ranking sorts by priority tier (e.g. aged 65+ first), then by
//! key; the first `winners` are allocated places and the rest form the waitlist in order. The
//! ranking does not depend on the order registrations arrived in. A **result hash** over the
//! ranking lets anyone check that the published result is the one the rules produce.
//!
//! Over-allocation: a clinic where a share `p` of people do not show up can allocate more winners
//! than places. We pick the largest number of winners `n` such that the chance that more than
//! `places` of them show up stays under 5 % (normal approximation to the binomial), and never more
//! than a cap (a fraction of the places).

use sha2::{Digest, Sha256};

/// One registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registrant {
    pub id: String,
    /// 0 is drawn first (e.g. aged 65+), then 1, …
    pub tier: u8,
}

/// The hex SHA-256 of the seed, published before registration closes.
pub fn commitment(seed: &[u8]) -> String {
    hex::encode(Sha256::digest(seed))
}

fn key(seed: &[u8], id: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed);
    h.update([0u8]);
    h.update(id.as_bytes());
    h.finalize().into()
}

/// The outcome: indices into the registrant list, winners first, then the waitlist in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draw {
    pub ranking: Vec<usize>,
    pub winners: usize,
    pub result_hash: String,
}

/// Ranks the registrants and hashes the result.
pub fn draw(registrants: &[Registrant], seed: &[u8], winners: usize) -> Draw {
    let mut keyed: Vec<(u8, [u8; 32], usize)> =
        registrants.iter().enumerate().map(|(i, r)| (r.tier, key(seed, &r.id), i)).collect();
    keyed.sort_unstable_by_key(|k| (k.0, k.1));
    let ranking: Vec<usize> = keyed.into_iter().map(|(_, _, i)| i).collect();
    let winners = winners.min(registrants.len());
    let result_hash = result_hash(ranking.iter().map(|i| registrants[*i].id.as_str()), winners);
    Draw { ranking, winners, result_hash }
}

/// SHA-256 over the number of winners and the ranked ids, one per line.
pub fn result_hash<'a>(ranked_ids: impl Iterator<Item = &'a str>, winners: usize) -> String {
    let mut h = Sha256::new();
    h.update(format!("winners:{winners}\n").as_bytes());
    for id in ranked_ids {
        h.update(id.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

#[derive(Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The revealed seed does not hash to the published commitment.
    SeedDoesNotMatchCommitment,
    /// Recomputing the draw from the published inputs gives another result.
    ResultDiffers { expected: String, recomputed: String },
}

/// Recomputes a published draw from its inputs.
pub fn verify(
    registrants: &[Registrant],
    seed: &[u8],
    published_commitment: &str,
    winners: usize,
    published_result: &str,
) -> Result<Draw, VerifyError> {
    if commitment(seed) != published_commitment {
        return Err(VerifyError::SeedDoesNotMatchCommitment);
    }
    let d = draw(registrants, seed, winners);
    if d.result_hash != published_result {
        return Err(VerifyError::ResultDiffers { expected: published_result.into(), recomputed: d.result_hash });
    }
    Ok(d)
}

/// How many winners to allocate for `places`, given the clinic's measured no-show rate, and the
/// working shown to people.
#[derive(Clone, Debug, PartialEq)]
pub struct OverAllocation {
    pub places: u32,
    pub no_show_rate: f64,
    pub cap_fraction: f64,
    pub winners: u32,
    /// Chance, under the model, that more people come than there are places.
    pub overflow_risk: f64,
}

fn normal_cdf(z: f64) -> f64 {
    // Abramowitz–Stegun 7.1.26 via erf; accurate to ~1e-7, plenty for a 5 % threshold.
    let t = 1.0 / (1.0 + 0.327_591_1 * (z.abs() / std::f64::consts::SQRT_2));
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t + 0.254_829_592)
            * t
            * (-(z * z) / 2.0).exp();
    if z >= 0.0 { 0.5 * (1.0 + y) } else { 0.5 * (1.0 - y) }
}

/// P(Binomial(n, q) > places) by the normal approximation with continuity correction.
pub fn overflow_risk(n: u32, show_rate: f64, places: u32) -> f64 {
    if n <= places {
        return 0.0;
    }
    let mean = n as f64 * show_rate;
    let sd = (n as f64 * show_rate * (1.0 - show_rate)).sqrt();
    if sd == 0.0 {
        return if mean > places as f64 { 1.0 } else { 0.0 };
    }
    1.0 - normal_cdf((places as f64 + 0.5 - mean) / sd)
}

/// The largest number of winners whose overflow risk stays under 5 %, at most
/// `places × (1 + cap_fraction)`.
pub fn over_allocate(places: u32, no_show_rate: f64, cap_fraction: f64) -> OverAllocation {
    let p = no_show_rate.clamp(0.0, 0.9);
    let cap = places + (places as f64 * cap_fraction.max(0.0)).floor() as u32;
    let mut n = places;
    while n < cap && overflow_risk(n + 1, 1.0 - p, places) < 0.05 {
        n += 1;
    }
    OverAllocation {
        places,
        no_show_rate: p,
        cap_fraction,
        winners: n,
        overflow_risk: overflow_risk(n, 1.0 - p, places),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(n: usize, tier_every: usize) -> Vec<Registrant> {
        (0..n)
            .map(|i| Registrant {
                id: format!("r{i}"),
                tier: if tier_every > 0 && i % tier_every == 0 { 0 } else { 1 },
            })
            .collect()
    }

    #[test]
    fn the_draw_is_deterministic_and_order_independent() {
        let reg = people(1000, 0);
        let a = draw(&reg, b"seed-1", 100);
        assert_eq!(a, draw(&reg, b"seed-1", 100));
        let mut reversed = reg.clone();
        reversed.reverse();
        let b = draw(&reversed, b"seed-1", 100);
        let ids_a: Vec<_> = a.ranking.iter().map(|i| &reg[*i].id).collect();
        let ids_b: Vec<_> = b.ranking.iter().map(|i| &reversed[*i].id).collect();
        assert_eq!(ids_a, ids_b, "arrival order does not matter");
        assert_eq!(a.result_hash, b.result_hash);
        assert_ne!(a.result_hash, draw(&reg, b"seed-2", 100).result_hash, "another seed, another draw");
    }

    #[test]
    fn priority_tiers_go_first() {
        // Every 10th registrant is aged 65+ (tier 0): with 100 places all 100 of them win.
        let reg = people(1000, 10);
        let d = draw(&reg, b"s", 100);
        assert!(d.ranking[..100].iter().all(|i| reg[*i].tier == 0));
        assert!(d.ranking[100..].iter().all(|i| reg[*i].tier == 1));
    }

    #[test]
    fn verification_catches_a_wrong_seed_or_result() {
        let reg = people(50, 0);
        let seed = b"the secret seed";
        let c = commitment(seed);
        let d = draw(&reg, seed, 10);
        assert!(verify(&reg, seed, &c, 10, &d.result_hash).is_ok());
        assert_eq!(verify(&reg, b"another seed", &c, 10, &d.result_hash), Err(VerifyError::SeedDoesNotMatchCommitment));
        assert!(matches!(verify(&reg, seed, &c, 11, &d.result_hash), Err(VerifyError::ResultDiffers { .. })));
        let mut tampered = reg.clone();
        tampered[3].tier = 0;
        assert!(matches!(verify(&tampered, seed, &c, 10, &d.result_hash), Err(VerifyError::ResultDiffers { .. })));
        // The commitment is the plain SHA-256 of the seed: anyone can check it with any tool.
        assert_eq!(commitment(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn over_allocation_from_no_show_rates() {
        // Nobody misses appointments: no extra winners.
        assert_eq!(over_allocate(40, 0.0, 0.5).winners, 40);
        // 40 places, 20 % no-shows: 46 winners keep the risk of a 41st arrival under 5 %
        // (mean 36.8, sd 2.71; P(X > 40) = 1 - Φ((40.5 - 36.8)/2.71) ≈ 0.086 for 46 … checked below).
        let o = over_allocate(40, 0.2, 0.5);
        assert!(o.winners > 40 && o.overflow_risk < 0.05, "{o:?}");
        assert!(overflow_risk(o.winners + 1, 0.8, 40) >= 0.05, "the next winner would cross 5 %");
        // The cap binds: at most 10 % extra.
        assert_eq!(over_allocate(40, 0.5, 0.1).winners, 44);
        // Hand-checked normal approximation: n = 50, q = 0.8 → mean 40, sd √8 = 2.828;
        // P(X > 40) = 1 - Φ(0.5 / 2.828) = 1 - Φ(0.1768) ≈ 0.4298.
        assert!((overflow_risk(50, 0.8, 40) - 0.4298).abs() < 1e-3, "{}", overflow_risk(50, 0.8, 40));
    }
}
