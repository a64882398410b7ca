# Reference numbers for Knapp-Hartung with identical effects (the KH scale s2w is 0).
#
# Three studies with the same effect and the same sampling variance: the
# weighted residual sum of squares is 0, metafor sets s2w = 0, so se = 0,
# zval = beta / se = Inf and pval = 2 * pt(Inf, k - 1, lower.tail = FALSE) = 0,
# and the CI collapses to the estimate. Also with unequal sampling variances.
#
# Run from the repository root:
#     Rscript tests/reference/metafor_knha_identical.R
# It writes metafor_knha_identical.csv next to this script (one row per fit and
# quantity; versions in the columns r_version and metafor_version).

suppressPackageStartupMessages(library(metafor))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
outdir <- if (length(script)) dirname(normalizePath(script)) else "tests/reference"

fmt <- function(x) ifelse(is.na(x), "NA", formatC(x, digits = 17, format = "g"))

inputs <- list(equal_vi = c(0.01, 0.01, 0.01), unequal_vi = c(0.01, 0.02, 0.03))
rows <- list()
for (name in names(inputs)) {
  for (method in c("DL", "REML", "PM")) {
    res <- rma(yi = c(0.3, 0.3, 0.3), vi = inputs[[name]], method = method, test = "knha")
    values <- c(estimate = res$beta[1], se = res$se, statistic = res$zval, p_value = res$pval,
                ci_low = res$ci.lb, ci_high = res$ci.ub, tau2 = res$tau2, s2w = res$s2w)
    rows[[length(rows) + 1]] <- data.frame(
      input = name, method = method, quantity = names(values), value = fmt(values),
      r_version = R.version.string, metafor_version = as.character(packageVersion("metafor"))
    )
  }
}
write.csv(do.call(rbind, rows), file.path(outdir, "metafor_knha_identical.csv"), row.names = FALSE)
