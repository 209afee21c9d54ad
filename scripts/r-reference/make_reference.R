# Reference outputs for the `epi` crate (crates/epi), computed with R's `surveillance` and
# `EpiEstim` packages. The Rust tests in crates/epi/tests/ compare against the CSV files this
# script writes; CI does not need R.
#
# Usage (from the repository root):
#   Rscript scripts/r-reference/make_reference.R [OUTDIR]
# OUTDIR defaults to crates/epi/tests/reference.
#
# Made with R 4.2.2, surveillance 1.20.3 and EpiEstim 2.2-4 (Debian bookworm:
# apt-get install r-base-core r-cran-surveillance r-cran-epiestim).
#
# Layout written:
#   series/<dataset>.csv                  week,observed (1-based week index, complete series)
#   detect/manifest.tsv                   id, dataset, method, range_start, range_end, control
#   detect/<dataset>/<config>.csv         week,observed,upperbound,alarm (R's result over the range)
#   rt/<dataset>.csv                      t,incidence
#   rt/manifest.tsv                       id, dataset, mean_si, std_si, window
#   rt/<dataset>__<config>.csv            EpiEstim's R table, columns renamed
#   rt/discr_si.csv                       mu,sigma,k,value (EpiEstim::discr_si)
#   versions.txt                          R and package versions used

suppressPackageStartupMessages({
  library(surveillance)
  library(EpiEstim)
})
options(warn = 1)

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[[1]] else "crates/epi/tests/reference"
dir.create(file.path(out, "series"), recursive = TRUE, showWarnings = FALSE)
dir.create(file.path(out, "detect"), recursive = TRUE, showWarnings = FALSE)
dir.create(file.path(out, "rt"), recursive = TRUE, showWarnings = FALSE)

num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
lgl <- function(x) ifelse(is.na(x), "NA", ifelse(x, "true", "false"))

writeLines(c(
  R.version.string,
  paste("surveillance", as.character(packageVersion("surveillance"))),
  paste("EpiEstim", as.character(packageVersion("EpiEstim")))
), file.path(out, "versions.txt"))

# ---------------------------------------------------------------------------------------------
# Input series: R's bundled data sets, multi-unit ones summed over units.
load_series <- function() {
  e <- new.env()
  get_data <- function(name) { data(list = name, envir = e); get(name, envir = e) }
  obs <- function(x) {
    m <- if (is(x, "sts")) x@observed else as.matrix(x$observed)
    as.numeric(rowSums(m))
  }
  list(
    ha = obs(get_data("ha")),                        # Berlin hepatitis A, 12 districts summed
    salmonella_agona = obs(get_data("salmonella.agona")),
    shadar = obs(get_data("shadar")),
    salm_newport = obs(get_data("salmNewport")),     # 16 federal states summed
    sts_newport = obs(get_data("stsNewport")),
    campy_de = as.numeric(get_data("campyDE")$case),
    k1 = obs(get_data("k1"))                         # short (209 weeks), small counts
  )
}

series <- load_series()
for (name in names(series)) {
  x <- series[[name]]
  stopifnot(!anyNA(x))
  writeLines(c("week,observed", sprintf("%d,%s", seq_along(x), num(x))),
             file.path(out, "series", paste0(name, ".csv")))
}
# Read the files back so that R computes on exactly what the Rust tests read.
series <- lapply(names(series), function(name) {
  read.csv(file.path(out, "series", paste0(name, ".csv")))$observed
})
names(series) <- c("ha", "salmonella_agona", "shadar", "salm_newport", "sts_newport", "campy_de", "k1")

# ---------------------------------------------------------------------------------------------
# Aberration detection configurations. `control` holds R's control list (range is added per
# data set); `first` gives the first week with enough history for a series of length n.
freq <- 52
configs <- list(
  list(id = "ears_c1", method = "ears-c1", control = list(method = "C1"), first = function(c) 7 + 1),
  list(id = "ears_c2", method = "ears-c2", control = list(method = "C2"), first = function(c) 7 + 3),
  list(id = "ears_c3", method = "ears-c3", control = list(method = "C3"), first = function(c) 7 + 5),
  list(id = "ears_c1_alpha01", method = "ears-c1", control = list(method = "C1", alpha = 0.01, baseline = 7),
       first = function(c) 7 + 1),
  list(id = "ears_c2_alpha01", method = "ears-c2", control = list(method = "C2", alpha = 0.01, baseline = 7),
       first = function(c) 7 + 3),
  list(id = "ears_c3_alpha01", method = "ears-c3", control = list(method = "C3", alpha = 0.01, baseline = 7),
       first = function(c) 7 + 5),
  list(id = "ears_c2_baseline10_minsigma", method = "ears-c2",
       control = list(method = "C2", alpha = 0.05, baseline = 10, minSigma = 2), first = function(c) 10 + 3),
  list(id = "ears_c3_baseline5_minsigma", method = "ears-c3",
       control = list(method = "C3", alpha = 0.001, baseline = 5, minSigma = 0.5), first = function(c) 5 + 5),
  list(id = "farrington", method = "farrington", control = list(),
       first = function(c) freq * 5 + 3 + 1),
  list(id = "farrington_b3_w2_alpha01_notrend", method = "farrington",
       control = list(b = 3, w = 2, alpha = 0.01, trend = FALSE), first = function(c) freq * 3 + 2 + 1),
  list(id = "farrington_b3_sqrt_noreweight", method = "farrington",
       control = list(b = 3, w = 3, reweight = FALSE, powertrans = "1/2", limit54 = c(3, 3)),
       first = function(c) freq * 3 + 3 + 1),
  list(id = "farrington_b4_none_alpha10", method = "farrington",
       control = list(b = 4, w = 1, alpha = 0.1, powertrans = "none", limit54 = c(0, 4)),
       first = function(c) freq * 4 + 1 + 1),
  list(id = "flexible", method = "farrington-flexible", control = list(),
       first = function(c) freq * 5 + 3 + 1),
  list(id = "flexible_weights1", method = "farrington-flexible", control = list(weightsThreshold = 1),
       first = function(c) freq * 5 + 3 + 1),
  list(id = "flexible_noufaily", method = "farrington-flexible",
       control = list(noPeriods = 10, weightsThreshold = 2.58, pastWeeksNotIncluded = 26,
                      thresholdMethod = "nbPlugin"),
       first = function(c) freq * 5 + 3 + 1),
  list(id = "flexible_noufaily_muan", method = "farrington-flexible",
       control = list(noPeriods = 10, weightsThreshold = 2.58, pastWeeksNotIncluded = 26,
                      thresholdMethod = "muan", alpha = 0.01),
       first = function(c) freq * 5 + 3 + 1),
  list(id = "flexible_b3_w2_notrend_sqrt", method = "farrington-flexible",
       control = list(b = 3, w = 2, trend = FALSE, alpha = 0.01, powertrans = "1/2", reweight = FALSE),
       first = function(c) freq * 3 + 2 + 1),
  list(id = "flexible_b3_noufaily_ptrend", method = "farrington-flexible",
       control = list(b = 3, w = 3, noPeriods = 4, pastWeeksNotIncluded = 8, pThresholdTrend = 0.1,
                      thresholdMethod = "nbPlugin", limit54 = c(2, 3)),
       first = function(c) freq * 3 + 3 + 1),
  list(id = "cusum", method = "cusum", control = list(), first = function(c) 105),
  list(id = "cusum_rossi_glm", method = "cusum", control = list(trans = "rossi", m = "glm"),
       first = function(c) 105),
  list(id = "cusum_anscombe", method = "cusum", control = list(trans = "anscombe", k = 0.5, h = 4),
       first = function(c) 53),
  list(id = "cusum_anscombe2nd_glm", method = "cusum", control = list(trans = "anscombe2nd", m = "glm"),
       first = function(c) 157),
  list(id = "cusum_pearsonnegbin", method = "cusum", control = list(trans = "pearsonNegBin", alpha = 0.2),
       first = function(c) 105),
  list(id = "cusum_none_m", method = "cusum", control = list(trans = "none", m = 40, k = 2, h = 10),
       first = function(c) 30)
)

control_string <- function(control) {
  if (length(control) == 0) return("")
  parts <- vapply(names(control), function(n) {
    v <- control[[n]]
    v <- if (is.logical(v)) ifelse(v, "TRUE", "FALSE") else as.character(v)
    paste0(n, "=", paste(v, collapse = ","))
  }, "")
  paste(parts, collapse = " ")
}

run_detect <- function(x, method, control) {
  n <- length(x)
  if (method %in% c("ears-c1", "ears-c2", "ears-c3", "farrington-flexible")) {
    s <- sts(observed = matrix(x, ncol = 1), start = c(2000, 1), frequency = freq)
    res <- if (method == "farrington-flexible") farringtonFlexible(s, control = control) else earsC(s, control = control)
    list(upperbound = as.numeric(res@upperbound[, 1]), alarm = as.logical(res@alarm[, 1]))
  } else {
    d <- create.disProg(week = seq_len(n), observed = x, state = rep(0, n), freq = freq, start = c(2000, 1))
    res <- if (method == "farrington") algo.farrington(d, control = control) else algo.cusum(d, control = control)
    list(upperbound = as.numeric(res$upperbound), alarm = as.logical(res$alarm))
  }
}

manifest <- "id\tdataset\tmethod\trange_start\trange_end\tcontrol"
for (name in names(series)) {
  x <- series[[name]]
  n <- length(x)
  dir.create(file.path(out, "detect", name), showWarnings = FALSE)
  for (cfg in configs) {
    start <- cfg$first(cfg$control)
    if (start > n) next
    control <- cfg$control
    control$range <- start:n
    r <- run_detect(x, cfg$method, control)
    stopifnot(length(r$upperbound) == length(control$range))
    lines <- sprintf("%d,%s,%s,%s", control$range, num(x[control$range]), num(r$upperbound), lgl(r$alarm))
    writeLines(c("week,observed,upperbound,alarm", lines),
               file.path(out, "detect", name, paste0(cfg$id, ".csv")))
    manifest <- c(manifest, paste(paste0(name, "/", cfg$id), name, cfg$method, start, n,
                                  control_string(cfg$control), sep = "\t"))
    cat("detect", name, cfg$id, "\n")
  }
}
writeLines(manifest, file.path(out, "detect", "manifest.tsv"))

# ---------------------------------------------------------------------------------------------
# Rt: EpiEstim::estimate_R(method = "parametric_si"), serial interval moments from the
# EpiEstim documentation of each data set.
e <- new.env()
getd <- function(name) { data(list = name, envir = e); get(name, envir = e) }
incid <- list(
  flu2009 = getd("Flu2009")$incidence$I,
  measles1861 = getd("Measles1861")$incidence,
  sars2003 = getd("SARS2003")$incidence,
  smallpox1972 = getd("Smallpox1972")$incidence
)
si <- list(flu2009 = c(2.6, 1.5), measles1861 = c(14.9, 3.9), sars2003 = c(8.4, 3.8),
           smallpox1972 = c(22.4, 6.1))
rt_configs <- list(
  list(id = "weekly", window = 7, si = function(name) si[[name]]),
  list(id = "window14", window = 14, si = function(name) si[[name]]),
  list(id = "window3_si_4_3", window = 3, si = function(name) c(4, 3))
)
rt_manifest <- "id\tdataset\tmean_si\tstd_si\twindow"
for (name in names(incid)) {
  I <- as.numeric(incid[[name]])
  writeLines(c("t,incidence", sprintf("%d,%s", seq_along(I), num(I))), file.path(out, "rt", paste0(name, ".csv")))
  I <- read.csv(file.path(out, "rt", paste0(name, ".csv")))$incidence
  T <- length(I)
  for (cfg in rt_configs) {
    w <- cfg$window
    s <- cfg$si(name)
    config <- make_config(list(mean_si = s[1], std_si = s[2], t_start = seq(2, T - (w - 1)), t_end = seq(w + 1, T)))
    res <- suppressWarnings(estimate_R(I, method = "parametric_si", config = config))$R
    cols <- c("t_start,t_end,mean_r,std_r,q0025,q005,q025,median,q075,q095,q0975")
    body <- apply(res, 1, function(r) paste(c(sprintf("%d", as.integer(r[1:2])), num(r[3:11])), collapse = ","))
    writeLines(c(cols, body), file.path(out, "rt", paste0(name, "__", cfg$id, ".csv")))
    rt_manifest <- c(rt_manifest, paste(paste0(name, "__", cfg$id), name, s[1], s[2], w, sep = "\t"))
    cat("rt", name, cfg$id, "\n")
  }
}
writeLines(rt_manifest, file.path(out, "rt", "manifest.tsv"))

# discr_si on a grid.
grid <- expand.grid(k = 0:40, mu = c(1.5, 2.6, 4, 8.4, 14.9, 22.4), sigma = c(0.5, 1.5, 3.8, 6.1))
vals <- mapply(function(k, mu, sigma) discr_si(k, mu, sigma), grid$k, grid$mu, grid$sigma)
writeLines(c("mu,sigma,k,value", sprintf("%s,%s,%d,%s", num(grid$mu), num(grid$sigma), grid$k, num(vals))),
           file.path(out, "rt", "discr_si.csv"))
cat("done\n")
