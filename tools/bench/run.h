// One benchmark run: connects every client, runs their setup, the warm-up, the measured phase and
// the drain, samples the daemon's and test DC's memory, and returns the summary.
#pragma once

#include <string>

#include "base/status.h"
#include "bench/options.h"
#include "bench/summary.h"

namespace mtjson::bench {

struct RunResult {
  int exit_code = 0;   // 0 no errors, 1 errors counted or setup failed, 2 cannot connect
  // The figures, or one line saying why the run could not be measured. The exit code stays
  // beside it: a measured run with errors exits 1 as well.
  Result<Summary> summary = Result<Summary>::error("the run ended before it was measured");
};

RunResult run_bench(const Options& options);

}  // namespace mtjson::bench
