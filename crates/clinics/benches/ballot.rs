//! Ballot draw for 1,000,000 registrants, and its verification.
//! cargo bench -p phos-clinics --bench ballot

use std::time::Instant;

use clinics::ballot::rules::{Registrant, commitment, draw, verify};

fn main() {
    let n = 1_000_000;
    let registrants: Vec<Registrant> =
        (0..n).map(|i| Registrant { id: format!("reg-{i:07}"), tier: if i % 7 == 0 { 0 } else { 1 } }).collect();
    let seed = b"published-after-the-draw: 4f1c9a";
    let c = commitment(seed);
    let t = Instant::now();
    let d = draw(&registrants, seed, 10_000);
    let draw_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let v = verify(&registrants, seed, &c, 10_000, &d.result_hash).expect("verification reproduces the result");
    let verify_s = t.elapsed().as_secs_f64();
    assert_eq!(v.result_hash, d.result_hash);
    println!("| registrants | winners | draw s | verify s | result hash |");
    println!("|---|---|---|---|---|");
    println!("| {n} | {} | {draw_s:.3} | {verify_s:.3} | {}… |", d.winners, &d.result_hash[..16]);
}
