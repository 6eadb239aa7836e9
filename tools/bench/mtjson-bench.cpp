// mtjson-bench: a load generator for the mtjson daemon (or any mtproto2json-compatible proxy).
// See options.cpp usage_text() for the flags and summary.h for what is reported.
#include <iostream>
#include <string>
#include <vector>

#include "bench/options.h"
#include "bench/run.h"
#include "bench/summary.h"

int main(int argc, char** argv) {
  using namespace mtjson::bench;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_options(args);
  if (!parsed) {
    std::cerr << "mtjson-bench: " << parsed.message() << "\n";
    return 2;
  }
  const Options& o = *parsed;
  if (o.help) {
    std::cout << usage_text();
    return 0;
  }
  RunResult r = run_bench(o);
  if (!r.summary) {
    std::cerr << "mtjson-bench: " << r.summary.message() << "\n";
    return r.exit_code;
  }
  std::string human = human_summary(*r.summary);
  if (o.json) {
    std::cerr << human;
    std::cout << json_summary(*r.summary).dump(2) << std::endl;
  } else {
    std::cout << human << std::flush;
  }
  return r.exit_code;
}
