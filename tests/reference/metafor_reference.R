# Reference numbers for b12stats.stats.meta from R's metafor.
#
# Fits rma(measure = "ZCOR", ...) on correlation datasets shipped with metafor
# (package metadat): dat.molloy2014 (k = 16) and dat.mcdaniel1994 (k = 160),
# plus small subsets of dat.molloy2014 (k = 2 and k = 3) for the few-studies
# edge cases, for every method (EE, DL, REML, PM) x test (z, knha).
#
# metafor's default convergence settings stop REML (Fisher scoring, change in
# tau^2 < 1e-5) and PM / Q-profile CI (uniroot, tol = eps^0.25 ~ 1.2e-4) well
# before machine precision, so its default tau^2 is only good to ~1e-5
# absolute. The "tight" rows use control = list(threshold = 1e-13, tol = 1e-13,
# maxiter = 10000) (rma) and control = list(tol = 1e-13) (confint): the same
# algorithms, run to convergence. The "default" rows are metafor as a user
# would run it. Tests compare b12stats against "tight" at 1e-6 relative and
# against "default" at metafor's own convergence tolerance.
#
# Run from the repository root:
#     Rscript tests/reference/metafor_reference.R
# It writes, next to this script:
#     metafor_reference_fits.csv   long table: one row per (fit, quantity)
#     metafor_reference_studies.csv  study-level yi, vi, weights (%) per fit
#     metafor_reference_leave1out.csv  leave1out() results
#     metafor_reference_meta.json  R, metafor and metadat versions

suppressPackageStartupMessages(library(metafor))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
outdir <- if (length(script)) dirname(normalizePath(script)) else "tests/reference"

fmt <- function(x) ifelse(is.na(x), "NA", formatC(x, digits = 17, format = "g"))
or_na <- function(x, k) if (is.null(x)) rep(NA_real_, k) else x

tight_rma <- list(threshold = 1e-13, tol = 1e-13, maxiter = 10000)
tight_ci <- list(tol = 1e-13)

datasets <- list(
  molloy2014 = data.frame(ri = dat.molloy2014$ri, ni = dat.molloy2014$ni,
                          group = "all", label = paste(dat.molloy2014$authors,
                                                       dat.molloy2014$year)),
  mcdaniel1994 = data.frame(ri = dat.mcdaniel1994$ri, ni = dat.mcdaniel1994$ni,
                            group = dat.mcdaniel1994$type,
                            label = paste("study", dat.mcdaniel1994$study)),
  molloy2014_k2 = data.frame(ri = dat.molloy2014$ri[1:2], ni = dat.molloy2014$ni[1:2],
                             group = "all", label = paste(dat.molloy2014$authors[1:2],
                                                          dat.molloy2014$year[1:2])),
  molloy2014_k3 = data.frame(ri = dat.molloy2014$ri[3:5], ni = dat.molloy2014$ni[3:5],
                             group = "all", label = paste(dat.molloy2014$authors[3:5],
                                                          dat.molloy2014$year[3:5]))
)

fits <- list()
studies <- list()  # study-level weights, per method (test does not change them)
loo <- list()

add_fit <- function(dataset, subset, method, test, control, name, value) {
  fits[[length(fits) + 1]] <<- data.frame(
    dataset = dataset, subset = subset, method = method, test = test,
    control = control, quantity = name, value = fmt(value)
  )
}

one_fit <- function(dat, dataset, subset, method, test, control) {
  ctl <- if (control == "tight") tight_rma else list()
  res <- suppressWarnings(rma(measure = "ZCOR", ri = ri, ni = ni, data = dat,
                              method = method, test = test, control = ctl))
  q <- list(
    k = res$k, estimate = res$beta[1], se = res$se, statistic = res$zval,
    p_value = res$pval, ci_low = res$ci.lb, ci_high = res$ci.ub,
    tau2 = res$tau2, se_tau2 = res$se.tau2, i2 = res$I2, h2 = res$H2,
    q = res$QE, q_p_value = res$QEp, s2w = res$s2w, vt = res$vt
  )
  if (method != "EE") {
    pr <- predict(res)
    q$pi_low <- pr$pi.lb
    q$pi_high <- pr$pi.ub
    cictl <- if (control == "tight") tight_ci else list()
    ci <- confint(res, control = cictl)
    q$tau2_ci_low <- ci$random["tau^2", "ci.lb"]
    q$tau2_ci_high <- ci$random["tau^2", "ci.ub"]
    q$i2_ci_low <- ci$random["I^2(%)", "ci.lb"]
    q$i2_ci_high <- ci$random["I^2(%)", "ci.ub"]
    q$h2_ci_low <- ci$random["H^2", "ci.lb"]
    q$h2_ci_high <- ci$random["H^2", "ci.ub"]
  }
  for (nm in names(q)) add_fit(dataset, subset, method, test, control, nm, q[[nm]])
  if (control == "tight" && test == "z") {  # weights do not depend on test
    studies[[length(studies) + 1]] <<- data.frame(
      dataset = dataset, subset = subset, method = method, test = test,
      study = seq_len(res$k), yi = fmt(res$yi), vi = fmt(res$vi),
      weight_pct = fmt(weights(res))
    )
  }
  res
}

for (dataset in names(datasets)) {
  dat <- datasets[[dataset]]
  for (method in c("EE", "DL", "REML", "PM")) {
    for (test in c("z", "knha")) {
      for (control in c("tight", "default")) {
        res <- one_fit(dat, dataset, "all", method, test, control)
        if (dataset == "molloy2014" && control == "tight") {
          l1 <- suppressWarnings(leave1out(res))
          loo[[length(loo) + 1]] <- data.frame(
            dataset = dataset, method = method, test = test,
            omitted = seq_len(res$k), estimate = fmt(l1$estimate), se = fmt(l1$se),
            ci_low = fmt(l1$ci.lb), ci_high = fmt(l1$ci.ub), q = fmt(or_na(l1$Q, res$k)),
            q_p_value = fmt(or_na(l1$Qp, res$k)), tau2 = fmt(or_na(l1$tau2, res$k)), i2 = fmt(or_na(l1$I2, res$k)),
            h2 = fmt(or_na(l1$H2, res$k))
          )
        }
      }
    }
  }
  # subgroups (mcdaniel1994: by interview type j / p / s; 3 studies have no type),
  # tight control only
  if (length(unique(dat$group)) > 1) {
    for (g in sort(unique(dat$group))) {
      for (method in c("EE", "DL", "REML", "PM")) {
        for (test in c("z", "knha")) {
          one_fit(dat[which(dat$group == g), ], dataset, paste0("type=", g), method, test,
                  "tight")
        }
      }
    }
  }
}

write.csv(do.call(rbind, fits), file.path(outdir, "metafor_reference_fits.csv"),
          row.names = FALSE, quote = TRUE)
write.csv(do.call(rbind, studies), file.path(outdir, "metafor_reference_studies.csv"),
          row.names = FALSE, quote = TRUE)
write.csv(do.call(rbind, loo), file.path(outdir, "metafor_reference_leave1out.csv"),
          row.names = FALSE, quote = TRUE)

# the input data, so the Python tests need neither R nor metadat
inputs <- do.call(rbind, lapply(names(datasets), function(d) {
  x <- datasets[[d]]
  data.frame(dataset = d, label = x$label, ri = fmt(x$ri), ni = x$ni, group = x$group)
}))
write.csv(inputs, file.path(outdir, "metafor_reference_inputs.csv"),
          row.names = FALSE, quote = TRUE)

meta <- sprintf(paste0(
  '{\n  "r_version": "%s",\n  "metafor_version": "%s",\n  "metadat_version": "%s",\n',
  '  "tight_control_rma": "threshold = 1e-13, tol = 1e-13, maxiter = 10000",\n',
  '  "tight_control_confint": "tol = 1e-13",\n',
  '  "generated_by": "tests/reference/metafor_reference.R"\n}\n'),
  R.version.string, as.character(packageVersion("metafor")),
  as.character(packageVersion("metadat")))
writeLines(meta, file.path(outdir, "metafor_reference_meta.json"))
cat("wrote reference files to", outdir, "\n")
