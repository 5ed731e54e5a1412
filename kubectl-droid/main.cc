// kubectl-droid: the `kubectl droid` plugin (SPEC §7). kubectl finds this
// binary on PATH by its name and passes it the arguments after `kubectl droid`.
// See README.md for the commands and exit codes.
#include <iostream>
#include <string>
#include <vector>

#include "dispatch.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  droid::kubectl::Io io{std::cout, std::cerr, droid::kubectl::Environment::from_process()};
  return droid::kubectl::dispatch(args, io);
}
