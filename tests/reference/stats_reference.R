# Independent reference numbers for b12stats.stats (printed, correlation,
# quartiles, effects).
#
# Run from the repository root:  Rscript tests/reference/stats_reference.R
# Writes tests/reference/stats_reference.csv (long format: section, case,
# quantity, value with 17 significant digits; header lines starting with '#'
# give the R and package versions). The Python tests read that file; R is not
# needed to run them.
#
# Nothing here calls b12stats: every number is computed from base R
# distribution functions (pt, pnorm, qnorm, qlnorm, plnorm, dchisq, integrate,
# lm). Formulas that no installed package provides are coded by hand from the
# papers:
#   - cocor's fisher1925 test and zou2007 interval for independent groups
#     (cocor is not packaged for Debian): Zou GY (2007) Psychol Methods
#     12:399, doi:10.1037/1082-989X.12.4.399; Diedenhofen & Musch (2015)
#     PLoS ONE 10:e0121945.
#   - metafor::conv.fivenum does not exist in the installed metafor (3.8-1;
#     it appeared in metafor 4.0). The quartile case (Wan 2014; Luo 2018 mean;
#     Shi 2020 log-normal with back-transformation) is coded from metafor's
#     R/conv.fivenum.r source. estmeansd is not packaged for Debian.

args <- commandArgs(trailingOnly = FALSE)
out_file <- file.path("tests", "reference", "stats_reference.csv")

rows <- list()
add <- function(section, case, quantity, value) {
  rows[[length(rows) + 1L]] <<- data.frame(
    section = section, case = case, quantity = quantity,
    value = sprintf("%.17g", as.numeric(value)), stringsAsFactors = FALSE
  )
}

# ---------------------------------------------------------------- p from r
p_r <- function(r, n, alternative = "two.sided") {
  df <- n - 2
  t <- r * sqrt(df / (1 - r^2))
  switch(alternative,
    two.sided = 2 * pt(abs(t), df, lower.tail = FALSE),
    greater = pt(t, df, lower.tail = FALSE),
    less = pt(t, df)
  )
}
r_grid <- c(0.51, 0.20, 0.36, -0.30, 0.05, 0.659, 0.23, 0.90)
n_grid <- c(5, 10, 40, 67, 100, 183, 1000)
for (r in r_grid) for (n in n_grid) {
  case <- sprintf("r=%s;n=%d", format(r), n)
  add("p_from_r", case, "two-sided", p_r(r, n, "two.sided"))
  add("p_from_r", case, "greater", p_r(r, n, "greater"))
  add("p_from_r", case, "less", p_r(r, n, "less"))
}
# cross-check with cor.test on data built to have exactly r (n = 40, r = 0.51)
set.seed(20261122)
x <- rnorm(40); e <- residuals(lm(rnorm(40) ~ x))
x <- (x - mean(x)) / sd(x); e <- e / sd(e)
y <- 0.51 * x + sqrt(1 - 0.51^2) * e
add("cor_test", "r=0.51;n=40", "estimate", cor(x, y))
add("cor_test", "r=0.51;n=40", "p_value", cor.test(x, y)$p.value)

# ------------------------------------------------------------- Fisher z CI
for (r in c(0.51, 0.20, -0.30, 0.90)) for (n in c(10, 40, 67)) for (cl in c(0.95, 0.90)) {
  z <- atanh(r); se <- 1 / sqrt(n - 3); q <- qnorm((1 + cl) / 2)
  case <- sprintf("r=%s;n=%d;conf=%s", format(r), n, format(cl))
  add("fisher_ci", case, "ci_low", tanh(z - q * se))
  add("fisher_ci", case, "ci_high", tanh(z + q * se))
}

# ------------------------------------------ n compatible with printed r, P
# brute force over every n: P over r's rounding interval is monotone in r, so
# its range at each n is spanned by the two ends (in |r| for two-sided).
n_interval <- function(r, r_dec, rel, p, p_dec, alternative, n_max) {
  h <- 0.5 * 10^(-r_dec)
  lo <- max(r - h, -1); hi <- min(r + h, 1)
  n <- 3:n_max
  if (alternative == "two.sided") {
    a_lo <- if (lo <= 0 && hi >= 0) 0 else min(abs(lo), abs(hi))
    a_hi <- max(abs(lo), abs(hi))
    pmin_ <- p_r(a_hi, n, "two.sided"); pmax_ <- p_r(a_lo, n, "two.sided")
  } else if (alternative == "greater") {
    pmin_ <- p_r(hi, n, "greater"); pmax_ <- p_r(lo, n, "greater")
  } else {
    pmin_ <- p_r(lo, n, "less"); pmax_ <- p_r(hi, n, "less")
  }
  ok <- if (rel == "<") {
    pmin_ < p
  } else if (rel == ">") {
    pmax_ > p
  } else {
    plo <- max(p - 0.5 * 10^(-p_dec), 0); phi <- min(p + 0.5 * 10^(-p_dec), 1)
    pmin_ <= phi & pmax_ >= plo
  }
  if (!any(ok)) return(c(NA, NA))
  range(n[ok])
}
ncases <- list(
  list("r=0.51;p=0.003", 0.51, 2, "=", 0.003, 3, "two.sided"),
  list("r=0.20;p=0.27", 0.20, 2, "=", 0.27, 2, "two.sided"),
  list("r=0.36;p<0.001", 0.36, 2, "<", 0.001, 3, "two.sided"),
  list("r=0.30;p<0.05", 0.30, 2, "<", 0.05, 2, "two.sided"),
  list("r=0.659;p<0.001", 0.659, 3, "<", 0.001, 3, "two.sided"),
  list("r=0.23;p=0.02", 0.23, 2, "=", 0.02, 2, "two.sided"),
  list("r=-0.12;p=0.30", -0.12, 2, "=", 0.30, 2, "two.sided"),
  list("r=0.20;p=0.27;greater", 0.20, 2, "=", 0.27, 2, "greater"),
  list("r=0.05;p>0.05", 0.05, 2, ">", 0.05, 2, "two.sided"),
  list("r=0.9;p=0.5", 0.9, 1, "=", 0.5, 1, "two.sided")
)
for (cs in ncases) {
  iv <- n_interval(cs[[2]], cs[[3]], cs[[4]], cs[[5]], cs[[6]], cs[[7]], 100000)
  add("n_interval", cs[[1]], "n_min", iv[1])
  add("n_interval", cs[[1]], "n_max", iv[2])
}

# ------------------------------------ two independent correlations (cocor)
cmp <- function(r1, n1, r2, n2, cl) {
  z <- (atanh(r1) - atanh(r2)) / sqrt(1 / (n1 - 3) + 1 / (n2 - 3))
  q <- qnorm((1 + cl) / 2)
  l1 <- tanh(atanh(r1) - q / sqrt(n1 - 3)); u1 <- tanh(atanh(r1) + q / sqrt(n1 - 3))
  l2 <- tanh(atanh(r2) - q / sqrt(n2 - 3)); u2 <- tanh(atanh(r2) + q / sqrt(n2 - 3))
  c(statistic = z,
    p_two = 2 * pnorm(abs(z), lower.tail = FALSE),
    p_greater = pnorm(z, lower.tail = FALSE),
    p_less = pnorm(z),
    ci_low = r1 - r2 - sqrt((r1 - l1)^2 + (u2 - r2)^2),
    ci_high = r1 - r2 + sqrt((u1 - r1)^2 + (r2 - l2)^2))
}
ccases <- list(
  list("0.51,40 vs 0.20,67;0.95", 0.51, 40, 0.20, 67, 0.95),
  list("0.30,183 vs 0.659,100;0.95", 0.30, 183, 0.659, 100, 0.95),
  list("-0.20,50 vs 0.40,30;0.90", -0.20, 50, 0.40, 30, 0.90)
)
for (cs in ccases) {
  v <- cmp(cs[[2]], cs[[3]], cs[[4]], cs[[5]], cs[[6]])
  for (nm in names(v)) add("compare", cs[[1]], nm, v[[nm]])
}

# ------------------------------------------------------------------ power
power_fz <- function(r, n, alpha, alt) {
  d <- atanh(r) * sqrt(n - 3)
  if (alt == "two.sided") {
    zc <- qnorm(1 - alpha / 2); pnorm(d - zc) + pnorm(-d - zc)
  } else {
    pnorm(d - qnorm(1 - alpha))
  }
}
# exact power of cor.test's t test for bivariate normal data: given x, t is
# noncentral t(n - 2, ncp = rho / sqrt(1 - rho^2) * sqrt(W)), W ~ chi2(n - 1)
power_exact <- function(r, n, alpha, alt) {
  k <- r / sqrt(1 - r^2); df <- n - 2
  f <- if (alt == "two.sided") {
    tc <- qt(1 - alpha / 2, df)
    function(w) dchisq(w, n - 1) * (pt(tc, df, k * sqrt(w), lower.tail = FALSE) +
      pt(-tc, df, k * sqrt(w)))
  } else {
    tc <- qt(1 - alpha, df)
    function(w) dchisq(w, n - 1) * pt(tc, df, k * sqrt(w), lower.tail = FALSE)
  }
  # finite range holding all but 2e-12 of W's mass (integrate over (0, Inf)
  # misses the peak for large n)
  integrate(f, qchisq(1e-12, n - 1), qchisq(1e-12, n - 1, lower.tail = FALSE),
            rel.tol = 1e-10, subdivisions = 1000L)$value
}
for (cs in list(c(0.3, 84), c(0.2, 67), c(0.51, 40), c(0.1, 500), c(0.5, 12))) {
  for (alt in c("two.sided", "greater")) {
    case <- sprintf("r=%s;n=%d;%s", format(cs[1]), cs[2], alt)
    add("power", case, "fisher_z", power_fz(cs[1], cs[2], 0.05, alt))
    add("power", case, "exact", power_exact(cs[1], cs[2], 0.05, alt))
  }
}
for (cs in list(c(0.3, 0.8), c(0.2, 0.9), c(0.51, 0.8))) {
  n <- 4
  while (power_fz(cs[1], n, 0.05, "two.sided") < cs[2]) n <- n + 1
  add("n_for_power", sprintf("r=%s;power=%s", format(cs[1]), format(cs[2])), "fisher_z", n)
}

# --------------------------------------------------- log-normal quartiles
zq <- qnorm(c(0.25, 0.5, 0.75))
qcases <- list(c(193, 276, 399), c(61, 113, 199), c(100, 150, 250), c(0.3, 1.5, 9.7))
for (q in qcases) {
  case <- paste(vapply(q, format, ""), collapse = "/")
  fit <- lm(log(q) ~ zq)  # least squares of log q on z
  mu <- unname(coef(fit)[1]); sigma <- unname(coef(fit)[2])
  add("lognormal_ls", case, "mu", mu)
  add("lognormal_ls", case, "sigma", sigma)
  add("lognormal_ls", case, "asymmetry",
      (log(q[3]) - 2 * log(q[2]) + log(q[1])) / (log(q[3]) - log(q[1])))
  for (p in c(0.1, 0.25, 0.5, 0.9)) add("lognormal_ls", case, sprintf("q%s", format(p)),
                                         qlnorm(p, mu, sigma))
  for (x in c(148, 220, 310)) add("lognormal_ls", case, sprintf("cdf%s", format(x)),
                                   plnorm(x, mu, sigma))
  # the "exact" fit: mu = log(median), same sigma
  add("lognormal_exact", case, "mu", log(q[2]))
  for (x in c(148, 220, 310)) add("lognormal_exact", case, sprintf("cdf%s", format(x)),
                                   plnorm(x, log(q[2]), sigma))
}

# ------------------------------------- prevalence with delta-method interval
# log quartiles y ~ N(., V), V_ij = p_i (1 - p_j) / (n f_i f_j), f_i = dnorm(z_i)/sigma;
# w = (log c - mu) / sigma; Var(w) = g' V g with g = -(a_mu + w a_sigma) / sigma.
prev <- function(q, cutoff, n, fit, cl = 0.95, side = "below") {
  y <- log(q); pp <- c(0.25, 0.5, 0.75)
  a_sigma <- c(-1, 0, 1) / (2 * zq[3])
  a_mu <- if (fit == "exact") c(0, 1, 0) else rep(1 / 3, 3)
  mu <- sum(a_mu * y); sigma <- sum(a_sigma * y)
  w <- (log(cutoff) - mu) / sigma
  V <- outer(seq_len(3), seq_len(3), function(i, j) pmin(pp[i], pp[j]) * (1 - pmax(pp[i], pp[j])))
  V <- V / outer(dnorm(zq), dnorm(zq)) * sigma^2 / n
  g <- -(a_mu + w * a_sigma) / sigma
  se_w <- sqrt(drop(t(g) %*% V %*% g))
  qc <- qnorm((1 + cl) / 2)
  if (side == "below") {
    c(estimate = pnorm(w), se = dnorm(w) * se_w, ci_low = pnorm(w - qc * se_w),
      ci_high = pnorm(w + qc * se_w))
  } else {
    c(estimate = pnorm(w, lower.tail = FALSE), se = dnorm(w) * se_w,
      ci_low = pnorm(w + qc * se_w, lower.tail = FALSE),
      ci_high = pnorm(w - qc * se_w, lower.tail = FALSE))
  }
}
pcases <- list(
  list("kenya_infant_le220_n100", c(193, 276, 399), 220, 100, "exact", 0.95, "below"),
  list("kenya_milk_lt310_n286", c(61, 113, 199), 310, 286, "least_squares", 0.95, "below"),
  list("kenya_milk_ge310_n286_90", c(61, 113, 199), 310, 286, "least_squares", 0.90, "above")
)
for (cs in pcases) {
  v <- prev(cs[[2]], cs[[3]], cs[[4]], cs[[5]], cs[[6]], cs[[7]])
  for (nm in names(v)) add("prevalence", cs[[1]], nm, v[[nm]])
}

# ------------------------------ mean and SD from quartiles (metafor's formulas)
mean_sd <- function(q1, m, q3, n, method) {
  if (method == "shi_lognormal") { q1 <- log(q1); m <- log(m); q3 <- log(q3) }
  eta <- 2 * qnorm((0.75 * n - 0.125) / (n + 0.25))
  if (method == "wan") {
    mean <- (q1 + m + q3) / 3
  } else {
    wt <- 0.7 + 0.39 / n
    mean <- wt * (q1 + q3) / 2 + (1 - wt) * m
  }
  sd <- (q3 - q1) / eta
  tval <- abs((q1 + q3 - 2 * m) / (q3 - q1)); crit <- 2.65 / sqrt(n) - 6 / n^2
  if (method == "shi_lognormal") {
    sd <- sd / sqrt(1 + 1.58 / n)
    s42 <- ((q3 - q1) / eta)^4 / (1 + 19.2 / n^1.2)
    phi2 <- 1 + 0.57 * sd^2 / n + 0.75 * s42 / n
    btmean <- exp(mean + sd^2 / 2) * (1 / phi2)
    phi21 <- 1 + 2.28 * sd^2 / n + 12 * s42 / n
    phi22 <- 1 + 2.28 * sd^2 / n + 3 * s42 / n
    btsd <- sqrt(exp(2 * mean + 2 * sd^2) * (1 / phi21) - exp(2 * mean + sd^2) * (1 / phi22))
    mean <- btmean; sd <- btsd
  }
  c(mean = mean, sd = sd, skew_statistic = tval, skew_critical = crit)
}
for (q in list(c(193, 276, 399, 100), c(61, 113, 199, 286), c(0.3, 1.5, 9.7, 286),
               c(10, 12, 15, 25))) {
  for (method in c("wan", "luo_wan", "shi_lognormal")) {
    v <- mean_sd(q[1], q[2], q[3], q[4], method)
    case <- sprintf("%s;%s", paste(vapply(q, format, ""), collapse = "/"), method)
    for (nm in names(v)) add("mean_sd", case, nm, v[[nm]])
  }
}

# -------------------------------------------- effects from printed CIs (Wang)
eff <- function(est, lo, hi, cl = 0.95) {
  L <- unname(log(1 + c(est, lo, hi) / 100)); qc <- qnorm((1 + cl) / 2)
  se <- (L[3] - L[2]) / (2 * qc); z <- L[1] / se
  c(estimate = L[1], se = se, statistic = z, p_value = 2 * pnorm(abs(z), lower.tail = FALSE),
    asymmetry = abs((L[3] - L[1]) - (L[1] - L[2])) / ((L[3] - L[2]) / 2))
}
# P range over the rounding box: evaluate all 8 corners (|z| is monotone in each)
eff_box <- function(est, lo, hi, d_est, d_lo, d_hi) {
  g <- expand.grid(e = est + c(-1, 1) * 0.5 * 10^-d_est, l = lo + c(-1, 1) * 0.5 * 10^-d_lo,
                   h = hi + c(-1, 1) * 0.5 * 10^-d_hi)
  p <- apply(g, 1, function(v) eff(v[1], v[2], v[3])[["p_value"]])
  c(p_low = min(p), p_high = max(p))
}
ecases <- list(
  list("wang_prenatal_6wk", 34.4, 17.0, 54.5, 1, 1, 1),
  list("wang_postnatal_7mo", 15.9, 1.91, 31.9, 1, 2, 1)
)
for (cs in ecases) {
  v <- c(eff(cs[[2]], cs[[3]], cs[[4]]), eff_box(cs[[2]], cs[[3]], cs[[4]], cs[[5]], cs[[6]], cs[[7]]))
  for (nm in names(v)) add("effect", cs[[1]], nm, v[[nm]])
}

# ----------------------------------------------------------------- output
res <- do.call(rbind, rows)
hdr <- c(
  "# b12stats.stats reference numbers written by tests/reference/stats_reference.R",
  sprintf("# %s", R.version.string),
  sprintf("# stats %s (base R); no other package used", as.character(packageVersion("stats"))),
  sprintf("# written %s", format(Sys.time(), "%Y-%m-%d %H:%M:%S UTC", tz = "UTC"))
)
tmp <- paste0(out_file, ".tmp")
writeLines(hdr, tmp)
suppressWarnings(write.table(res, tmp, sep = ",", row.names = FALSE, quote = TRUE,
                             append = TRUE, col.names = TRUE))
file.rename(tmp, out_file)
cat("wrote", nrow(res), "rows to", out_file, "\n")
