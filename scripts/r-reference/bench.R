# Times R's surveillance and EpiEstim on the series written by the epi benchmark
# (crates/epi/benches/detect.rs), so that both run on the same data in the same run.
#
# Usage: Rscript scripts/r-reference/bench.R DIR
# DIR holds detect_*.csv (week,observed), rt_*.csv (t,incidence) and params.txt with lines
# `range START END` (weeks evaluated) and `si MEAN SD` (serial interval for Rt).
# Prints one line per method: `<method> <seconds> <evaluations>`; only the method calls are timed.

suppressPackageStartupMessages({
  library(surveillance)
  library(EpiEstim)
})

dir <- commandArgs(trailingOnly = TRUE)[[1]]
params <- strsplit(readLines(file.path(dir, "params.txt")), " ")
p <- setNames(lapply(params, function(x) as.numeric(x[-1])), vapply(params, `[`, "", 1))
start <- p$range[1]
end <- p$range[2]

detect_files <- sort(list.files(dir, pattern = "^detect_.*\\.csv$", full.names = TRUE))
series <- lapply(detect_files, function(f) read.csv(f)$observed)
stss <- lapply(series, function(x) sts(observed = matrix(x, ncol = 1), start = c(2000, 1), frequency = 52))
dps <- lapply(series, function(x) {
  suppressWarnings(create.disProg(week = seq_along(x), observed = x, state = rep(0, length(x)), freq = 52,
                                  start = c(2000, 1)))
})

time_it <- function(name, n, f) {
  t <- system.time(for (i in seq_along(series)) f(i))[["elapsed"]]
  cat(name, t, n * length(series), "\n")
}
n <- end - start + 1
first_farrington <- max(start, 52 * 5 + 3 + 1)
nf <- end - first_farrington + 1
time_it("ears-c1", n, function(i) earsC(stss[[i]], control = list(method = "C1", range = start:end)))
time_it("ears-c2", n, function(i) earsC(stss[[i]], control = list(method = "C2", range = start:end)))
time_it("ears-c3", n, function(i) earsC(stss[[i]], control = list(method = "C3", range = start:end)))
time_it("farrington", nf, function(i) algo.farrington(dps[[i]], control = list(range = first_farrington:end)))
time_it("farrington-flexible", nf, function(i) {
  suppressWarnings(farringtonFlexible(stss[[i]], control = list(range = first_farrington:end)))
})
time_it("farrington-flexible-noufaily", nf, function(i) {
  suppressWarnings(farringtonFlexible(stss[[i]], control = list(range = first_farrington:end, noPeriods = 10,
    weightsThreshold = 2.58, pastWeeksNotIncluded = 26, thresholdMethod = "nbPlugin")))
})
time_it("cusum", n, function(i) algo.cusum(dps[[i]], control = list(range = start:end)))

rt_files <- sort(list.files(dir, pattern = "^rt_.*\\.csv$", full.names = TRUE))
incid <- lapply(rt_files, function(f) read.csv(f)$incidence)
t <- system.time(for (I in incid) {
  suppressMessages(suppressWarnings(estimate_R(I, method = "parametric_si",
    config = make_config(list(mean_si = p$si[1], std_si = p$si[2])))))
})[["elapsed"]]
cat("rt", t, sum(vapply(incid, function(I) length(I) - 7, 0)), "\n")
