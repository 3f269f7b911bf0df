# SPDX-License-Identifier: GPL-3.0-or-later
# Writes R's datasets used by the forecasting benchmark to DIR as one-column CSVs, with
# DIR/series.csv listing name, frequency and the held-out horizon. Data comes from R at bench
# time; nothing is committed.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
series <- list(
  UKDriverDeaths = list(x = datasets::UKDriverDeaths, h = 12),
  sunspot.month = list(x = datasets::sunspot.month, h = 24),
  JohnsonJohnson = list(x = datasets::JohnsonJohnson, h = 8),
  austres = list(x = datasets::austres, h = 8),
  BJsales = list(x = datasets::BJsales, h = 10),
  DAX = list(x = datasets::EuStockMarkets[, "DAX"], h = 30)
)
# interval: seconds between samples, for series with clock times (the lab's, added by run.sh).
index <- data.frame(name = character(), frequency = integer(), horizon = integer(),
                     start = numeric(), interval = numeric())
for (name in names(series)) {
  s <- series[[name]]
  write.csv(data.frame(value = as.numeric(s$x)), file.path(dir, paste0(name, ".csv")),
            row.names = FALSE)
  index <- rbind(index, data.frame(name = name, frequency = frequency(s$x), horizon = s$h,
                                   start = time(s$x)[1], interval = NA))
}
write.csv(index, file.path(dir, "series.csv"), row.names = FALSE, quote = FALSE)
