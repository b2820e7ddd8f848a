// roshambo: command-line front end. Each subcommand lives in its own file.

#include <iostream>
#if __has_include(<malloc.h>)
#include <malloc.h>  // mallopt, on glibc
#endif

#include "commands.hpp"
#include "roshambo/version.hpp"

int main(int argc, char** argv) {
#if defined(__GLIBC__) && defined(M_MXFAST)
  // No fastbins: a tick settles tens of thousands of rooms at one moment and the
  // simulator then frees all their small event arrays at once; glibc kept those in
  // fastbins and consolidated them in bulk on the next large request (~6 % of a
  // capacity-2 run). Freed chunks now coalesce as they go. The tool's own choice: the
  // library sets nothing process-wide.
  mallopt(M_MXFAST, 0);
#endif
  CLI::App app{"roshambo — multiplayer rock-paper-scissors lobby rules"};
  app.set_version_flag("--version", std::string("roshambo ") + roshambo::version());
  app.require_subcommand(1);
  // Usage errors are one line on stderr, like every other error of the tool.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("roshambo: ") + e.what() + " (see --help)\n";
  });
  roshambo::cli::setup_replay(app);
  roshambo::cli::setup_simulate(app);
  roshambo::cli::setup_rules(app);
  roshambo::cli::setup_bench(app);
  // --version works after any subcommand too.
  for (CLI::App* sub : app.get_subcommands({})) {
    sub->set_version_flag("--version", std::string("roshambo ") + roshambo::version());
  }
  app.footer(
      "Examples:\n"
      "  roshambo simulate --players 10000 --rounds 20 --mix uniform=0.6,beat-last=0.4\n"
      "  roshambo simulate --format json --seed 7 --commands run.jsonl > run.json\n"
      "  roshambo replay --config config.json --seed 7 run.jsonl\n"
      "  roshambo rules\n"
      "  roshambo bench\n"
      "Run `roshambo SUBCOMMAND --help` for the flags of each.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    // Subcommands report their exit code this way once their work is done.
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : roshambo::cli::kExitUsage;
  } catch (const roshambo::cli::UsageError& e) {
    std::cerr << "roshambo: " << e.what() << "\n";
    return roshambo::cli::kExitUsage;
  } catch (const roshambo::ConfigError& e) {
    std::cerr << "roshambo: " << e.what() << "\n";
    return roshambo::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "roshambo: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
