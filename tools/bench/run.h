// One benchmark run: connects every client, runs their setup, the warm-up, the measured phase and
// the drain, samples the daemon's and test DC's memory, and returns the summary.
#pragma once

#include <optional>
#include <string>

#include "bench/options.h"
#include "bench/summary.h"

namespace mtjson::bench {

struct RunResult {
  int exit_code = 0;   // 0 no errors, 1 errors counted or setup failed, 2 cannot connect
  std::string error;   // one line when the run could not be measured
  std::optional<Summary> summary;
};

RunResult run_bench(const Options& options);

}  // namespace mtjson::bench
