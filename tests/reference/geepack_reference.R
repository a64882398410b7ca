# Reference numbers for b12stats.models.fit_gee from R geepack::geeglm.
#
# Run from the repository root (needs R with geepack; R is NOT needed to run the
# Python tests, which only read the files written here):
#
#     python tests/reference/make_simulated_dyads.py   # writes geepack_data_simdyads.csv
#     Rscript tests/reference/geepack_reference.R
#
# Writes, all in tests/reference/:
#   geepack_data_dietox.csv       geepack::dietox       (pig weights, 72 pigs x 12 weeks)
#   geepack_data_ohio.csv         geepack::ohio         (wheeze in 537 children x 4 ages)
#   geepack_data_respiratory.csv  geepack::respiratory  (111 patients x 4 visits; `cluster`
#                                 = 100 * center + id because ids repeat across centres)
#   geepack_results.csv           one row per (model, term): estimate, san.se and naive SE
#   geepack_fitinfo.csv           one row per model: alpha, scale, n, clusters, convergence
#   geepack_versions.json         R and geepack versions
# The simulated dataset geepack_data_simdyads.csv is read (written by numpy); R adds
# its own milk-B12 quartile (type-7 sample quartiles, like pandas.qcut) as column
# milk_q_r to geepack_quartiles_simdyads.csv so Python can check its quartile cut.
#
# Fits use a tight convergence tolerance (geese.control(epsilon = 1e-12)) rather than
# geeglm's default 1e-4, so the reference values are the fixed point, not an early stop.
# Every number is written with sprintf("%.17g").

suppressPackageStartupMessages(library(geepack))

here <- "tests/reference"
f17 <- function(x) sprintf("%.17g", x)

data(dietox, package = "geepack")
data(ohio, package = "geepack")
data(respiratory, package = "geepack")

dietox_out <- data.frame(
  Pig = as.integer(as.character(dietox$Pig)), Time = dietox$Time,
  Weight = dietox$Weight, Cu = as.character(dietox$Cu), Evit = as.character(dietox$Evit)
)
ohio_out <- data.frame(id = ohio$id, age = ohio$age, smoke = ohio$smoke, resp = ohio$resp)
resp_out <- data.frame(
  cluster = 100L * respiratory$center + respiratory$id, center = respiratory$center,
  id = respiratory$id, treat = as.character(respiratory$treat),
  sex = as.character(respiratory$sex), age = respiratory$age,
  baseline = respiratory$baseline, visit = respiratory$visit, outcome = respiratory$outcome
)
# geeglm takes clusters as runs of equal id: sort by cluster (stable) before fitting.
dietox_out <- dietox_out[order(dietox_out$Pig, dietox_out$Time), ]
ohio_out <- ohio_out[order(ohio_out$id, ohio_out$age), ]
resp_out <- resp_out[order(resp_out$cluster, resp_out$visit), ]
write.csv(dietox_out, file.path(here, "geepack_data_dietox.csv"), row.names = FALSE)
write.csv(ohio_out, file.path(here, "geepack_data_ohio.csv"), row.names = FALSE)
write.csv(resp_out, file.path(here, "geepack_data_respiratory.csv"), row.names = FALSE)

sim <- read.csv(file.path(here, "geepack_data_simdyads.csv"))
sim <- sim[order(sim$cluster), ]
qs <- quantile(sim$milk_b12, probs = c(0, 0.25, 0.5, 0.75, 1), type = 7)
sim$milk_q_r <- as.integer(cut(sim$milk_b12, breaks = qs, include.lowest = TRUE)) - 1L
write.csv(
  data.frame(milk_b12 = f17(sim$milk_b12), milk_q_r = sim$milk_q_r),
  file.path(here, "geepack_quartiles_simdyads.csv"), row.names = FALSE, quote = FALSE
)

# model id, dataset, R formula, Python formula, family, cluster column, and the
# Python (patsy) names of R's coefficients in R's order (patsy orders terms
# differently: categorical-only terms before numeric ones).
models <- list(
  list("dietox_gaussian", "dietox", Weight ~ Time + Cu, "Weight ~ Time + C(Cu)",
       "gaussian", "Pig",
       c("Intercept", "Time", "C(Cu)[T.Cu035]", "C(Cu)[T.Cu175]")),
  list("ohio_binomial", "ohio", resp ~ age + smoke, "resp ~ age + smoke", "binomial", "id",
       c("Intercept", "age", "smoke")),
  list("respiratory_binomial", "respiratory",
       outcome ~ treat + sex + age + baseline + factor(center),
       "outcome ~ C(treat) + C(sex) + age + baseline + C(center)", "binomial", "cluster",
       c("Intercept", "C(treat)[T.P]", "C(sex)[T.M]", "age", "baseline", "C(center)[T.2]")),
  list("simdyads_gaussian", "simdyads", infant_b12 ~ milk_b12 + maternal_age + infant_sex,
       "infant_b12 ~ milk_b12 + maternal_age + C(infant_sex)", "gaussian", "cluster",
       c("Intercept", "milk_b12", "maternal_age", "C(infant_sex)[T.male]")),
  list("simdyads_binomial_quartile", "simdyads",
       adequate ~ factor(milk_q_r) + maternal_age + infant_sex,
       "adequate ~ C(milk_q) + maternal_age + C(infant_sex)", "binomial", "cluster",
       c("Intercept", "C(milk_q)[T.1]", "C(milk_q)[T.2]", "C(milk_q)[T.3]", "maternal_age",
         "C(infant_sex)[T.male]")),
  list("simdyads_binomial_trend", "simdyads", adequate ~ milk_q_r + maternal_age + infant_sex,
       "adequate ~ milk_q + maternal_age + C(infant_sex)", "binomial", "cluster",
       c("Intercept", "milk_q", "maternal_age", "C(infant_sex)[T.male]"))
)
datasets <- list(dietox = dietox_out, ohio = ohio_out, respiratory = resp_out, simdyads = sim)

res <- list()
info <- list()
for (m in models) {
  for (corstr in c("exchangeable", "independence")) {
    d <- datasets[[m[[2]]]]
    d$.cluster <- d[[m[[6]]]]
    fam <- if (m[[5]] == "gaussian") gaussian() else binomial()
    fit <- geeglm(m[[3]], family = fam, data = d, id = .cluster, corstr = corstr,
                  std.err = "san.se",
                  control = geese.control(epsilon = 1e-12, maxit = 500))
    co <- summary(fit)$coefficients
    stopifnot(length(m[[7]]) == nrow(co))
    key <- paste(m[[1]], corstr, sep = "_")
    res[[key]] <- data.frame(
      model = m[[1]], dataset = m[[2]], formula = m[[4]], family = m[[5]],
      groups = m[[6]], cov_struct = corstr, term_index = seq_len(nrow(co)) - 1L,
      term_r = rownames(co), term = m[[7]], estimate = f17(co[, "Estimate"]), se = f17(co[, "Std.err"]),
      se_naive = f17(sqrt(diag(fit$geese$vbeta.naiv)))
    )
    alpha <- if (corstr == "exchangeable") fit$geese$alpha[[1]] else NA_real_
    info[[key]] <- data.frame(
      model = m[[1]], cov_struct = corstr, alpha = f17(alpha),
      scale = f17(fit$geese$gamma[[1]]), n_obs = nrow(d),
      n_clusters = length(unique(d$.cluster)), error = fit$geese$error
    )
  }
}
write.csv(do.call(rbind, res), file.path(here, "geepack_results.csv"), row.names = FALSE)
write.csv(do.call(rbind, info), file.path(here, "geepack_fitinfo.csv"), row.names = FALSE)
writeLines(
  sprintf('{"R": "%s", "geepack": "%s"}', R.version.string, packageVersion("geepack")),
  file.path(here, "geepack_versions.json")
)
cat("wrote reference files to", here, "\n")
