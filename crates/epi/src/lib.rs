//! Pure epidemiological methods, no IO: aberration detection matching R's `surveillance`
//! (EARS C1/C2/C3, Farrington, farringtonFlexible, CUSUM), the reproduction number as in
//! `EpiEstim::estimate_R` (Cori et al. 2013), and the prospective space-time permutation scan
//! statistic (Kulldorff et al. 2005).
