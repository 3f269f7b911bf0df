# SPDX-License-Identifier: GPL-3.0-or-later
# R's side of the forecasting benchmark: forecast::ets, auto.arima, stlf and prophet on the
# series written by export_series.R, last horizon held out; MASE, sMAPE and wall time per fit.
suppressPackageStartupMessages({
  library(forecast)
  library(prophet)
})
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
out <- args[2]
index <- read.csv(file.path(dir, "series.csv"))

mase <- function(train, test, fc, m) {
  lag <- if (m > 1 && length(train) > m) m else 1
  scale <- mean(abs(diff(train, lag = lag)))
  mean(abs(test - fc)) / scale
}
smape <- function(test, fc) mean(200 * abs(test - fc) / (abs(test) + abs(fc)))

rows <- list()
for (i in seq_len(nrow(index))) {
  name <- index$name[i]
  m <- index$frequency[i]
  h <- index$horizon[i]
  y <- read.csv(file.path(dir, paste0(name, ".csv")))$value
  n <- length(y)
  train <- ts(y[1:(n - h)], frequency = m, start = index$start[i])
  test <- y[(n - h + 1):n]
  methods <- list(
    "r-ets" = function() forecast(ets(train), h = h)$mean,
    "r-auto.arima" = function() forecast(auto.arima(train), h = h)$mean,
    "r-stlf" = function() {
      if (m > 1) stlf(train, h = h)$mean else forecast(ets(train), h = h)$mean
    },
    "r-prophet" = function() {
      if (!is.na(index$interval[i])) {
        # The lab's metrics: clock times every `interval` s, a compressed day of m samples.
        step <- index$interval[i]
        ds <- as.POSIXct("2026-01-01", tz = "UTC") + step * (seq_along(train) - 1)
        fit <- prophet(daily.seasonality = FALSE, weekly.seasonality = FALSE,
                       yearly.seasonality = FALSE)
        fit <- add_seasonality(fit, name = "labday", period = m * step / 86400,
                               fourier.order = 8)
        fit <- fit.prophet(fit, data.frame(ds = ds, y = as.numeric(train)))
        future <- data.frame(ds = ds[length(ds)] + step * seq_len(h))
        return(predict(fit, future)$yhat)
      }
      ds <- as.Date(lubridate::date_decimal(as.numeric(time(train))))
      fit <- prophet(data.frame(ds = ds, y = as.numeric(train)), daily.seasonality = FALSE,
                     weekly.seasonality = FALSE)
      if (m == 12) future <- make_future_dataframe(fit, periods = h, freq = "month")
      else if (m == 4) future <- make_future_dataframe(fit, periods = h, freq = "quarter")
      else future <- make_future_dataframe(fit, periods = h, freq = "day")
      tail(predict(fit, future)$yhat, h)
    }
  )
  for (method in names(methods)) {
    # The median of up to five fits while they take under 2 s in all, as bench_forecast times
    # Doppel's: a single run of a fit of a few milliseconds mostly measures the machine.
    times <- c()
    repeat {
      t0 <- proc.time()[["elapsed"]]
      fc <- tryCatch(as.numeric(suppressWarnings(suppressMessages(methods[[method]]()))),
                     error = function(e) { message(name, " ", method, ": ", conditionMessage(e)); NULL })
      times <- c(times, proc.time()[["elapsed"]] - t0)
      if (is.null(fc) || length(times) >= 5 || sum(times) >= 2) break
    }
    if (is.null(fc)) next
    rows[[length(rows) + 1]] <- data.frame(series = name, method = method,
                                           mase = mase(as.numeric(train), test, fc, m),
                                           smape = smape(test, fc), seconds = median(times),
                                           model = "")
    message(sprintf("%-16s %-14s %.4fs (median of %d)", name, method, median(times),
                    length(times)))
  }
}
# Speed peer for the five-minute series: stlf (STL + ETS), R's closest equivalent.
if (length(args) >= 3) {
  y <- ts(read.csv(args[3])$value, frequency = 288)
  times <- sapply(1:5, function(i) {
    t0 <- proc.time()[["elapsed"]]
    invisible(forecast(stlf(y, h = 288), h = 288))
    proc.time()[["elapsed"]] - t0
  })
  rows[[length(rows) + 1]] <- data.frame(series = "speed-2016", method = "r-stlf", mase = NA,
                                         smape = NA, seconds = median(times), model = "")
  message(sprintf("2016-point series, stlf: median %.1f ms", 1000 * median(times)))
}
write.csv(do.call(rbind, rows), out, row.names = FALSE)
