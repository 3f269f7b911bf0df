# SPDX-License-Identifier: GPL-3.0-or-later
# Prints the forecasting benchmark as markdown from the Doppel and R result files.
args <- commandArgs(trailingOnly = TRUE)
acc <- rbind(read.csv(args[1]), read.csv(args[2]))
speed <- read.csv(args[3])
acc$model <- NULL
peer <- acc[acc$series == "speed-2016", ]
acc <- acc[acc$series != "speed-2016", ]
methods <- unique(acc$method)
series <- unique(acc$series)
fmt <- function(x, d = 3) ifelse(is.na(x), "–", formatC(x, format = "f", digits = d))
table <- function(metric, digits) {
  cat("| series |", paste(methods, collapse = " | "), "|\n")
  cat("|---|", paste(rep("---:", length(methods)), collapse = "|"), "|\n")
  for (s in series) {
    v <- sapply(methods, function(m) { r <- acc[acc$series == s & acc$method == m, metric]
                                       if (length(r)) r[1] else NA })
    cat("|", s, "|", paste(fmt(v, digits), collapse = " | "), "|\n")
  }
  avg <- sapply(methods, function(m) {
    r <- acc[acc$method == m, metric]
    if (length(r) == length(series)) mean(r) else NA
  })
  cat("| **average** |", paste(fmt(avg, digits), collapse = " | "), "|\n\n")
}
cat("### MASE (last horizon held out)\n\n")
table("mase", 3)
cat("### sMAPE (%)\n\n")
table("smape", 2)
cat("### Wall time per fit + forecast (s)\n\n")
table("seconds", 3)
ets_speedup <- with(acc, sum(seconds[method == "r-ets"]) / sum(seconds[method == "doppel-ets"]))
cat(sprintf("Total time, R ets / Doppel ets (AutoETS) on these series: **%.1fx**\n\n", ets_speedup))
cat("### Five-minute series, 2,016 points, daily season (288), horizon 288\n\n")
cat("| case | model | value |\n|---|---|---:|\n")
for (i in seq_len(nrow(speed))) {
  r <- speed[i, ]
  cpu <- grepl("cpu", r$case)
  if (!is.na(r$median_ms)) cat(sprintf("| %s | %s | %.2f ms %s(median of %d) |\n", r$case, r$model,
                                       r$median_ms, if (cpu) "CPU " else "", r$runs))
  else cat(sprintf("| %s | %s | %.1f s %sfor %d series |\n", r$case, r$model, r$total_s,
                   if (cpu) "CPU per thread " else "wall ", r$runs))
}
if (nrow(peer)) cat(sprintf("| peer: R stlf, same series | STL+ETS | %.2f ms (median of 5) |\n",
                            1000 * peer$seconds[1]))
