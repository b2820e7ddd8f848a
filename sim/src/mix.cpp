// The mix format of `--mix` (parse_mix / mix_to_string), the pairing names, and how a
// mix's weights become numbers of players.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "internal.hpp"

namespace roshambo {

using sim_detail::fail;
using sim_detail::kMixOverflow;

std::string_view to_string(Pairing p) noexcept {
  switch (p) {
    case Pairing::Random: return "random";
    case Pairing::Swiss: return "swiss";
    default: return "arrival";
  }
}

Pairing parse_pairing(std::string_view text) {
  if (text == "arrival") return Pairing::Arrival;
  if (text == "random") return Pairing::Random;
  if (text == "swiss") return Pairing::Swiss;
  fail("pairing", "must be arrival, random or swiss, got '" + std::string(text.substr(0, 64)) + "'");
}

std::vector<MixEntry> parse_mix(std::string_view text) {
  std::vector<MixEntry> mix;
  if (text.empty()) fail("mix", "must name at least one strategy");
  std::vector<std::string_view> parts;
  for (std::size_t pos = 0;;) {
    const auto comma = text.find(',', pos);
    parts.push_back(text.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  for (std::size_t k = 0; k < parts.size(); ++k) {
    std::string item(parts[k]);
    // "biased:R,P,S[=W]" spans three comma-separated parts.
    if (item.rfind("biased:", 0) == 0 && item.find('=') == std::string::npos) {
      for (int glue = 0; glue < 2 && k + 1 < parts.size(); ++glue) {
        item += ',';
        item += parts[++k];
      }
    }
    const auto eq = item.find('=');
    const std::string name = item.substr(0, eq);
    double weight = 1.0;
    if (eq != std::string::npos) {
      const std::string w = item.substr(eq + 1);
      const auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), weight);
      if (w.empty() || ec != std::errc() || ptr != w.data() + w.size() || !std::isfinite(weight)) {
        fail("mix", "weight of '" + name.substr(0, 64) + "' must be a number, got '" +
                        w.substr(0, 32) + "'");
      }
      if (weight < 0) fail("mix", "weight of '" + name.substr(0, 64) + "' must not be negative");
    }
    const Strategy s = Strategy::parse(name);
    auto same = std::find_if(mix.begin(), mix.end(), [&](const MixEntry& m) { return m.strategy == s; });
    if (same != mix.end()) {
      same->weight += weight;
    } else {
      mix.push_back({s, weight});
    }
  }
  double sum = 0;
  for (const auto& m : mix) sum += m.weight;
  if (!std::isfinite(sum)) fail("mix", kMixOverflow);
  if (!(sum > 0)) fail("mix", "weights must not sum to 0");
  return mix;
}

std::string mix_to_string(const std::vector<MixEntry>& mix) {
  std::string out;
  for (const auto& m : mix) {
    if (!out.empty()) out += ',';
    out += m.strategy.name();
    char buf[64];
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, m.weight);
    out += '=';
    out.append(buf, ec == std::errc() ? ptr : buf);
  }
  return out;
}

namespace sim_detail {

// Players per mix entry: largest remainder, ties to the earlier entry, so the
// counts sum to `players` exactly and follow the weights as closely as possible.
std::vector<std::uint32_t> mix_counts(const std::vector<MixEntry>& mix, std::uint32_t players) {
  double sum = 0;
  for (const auto& m : mix) sum += m.weight;
  std::vector<std::uint32_t> counts(mix.size());
  std::vector<std::pair<double, std::size_t>> rest;
  std::uint64_t given = 0;
  for (std::size_t i = 0; i < mix.size(); ++i) {
    const double quota = mix[i].weight / sum * players;
    counts[i] = static_cast<std::uint32_t>(std::floor(quota));
    given += counts[i];
    rest.emplace_back(quota - counts[i], i);
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < players; ++k, ++given) ++counts[rest[k % rest.size()].second];
  return counts;
}

}  // namespace sim_detail
}  // namespace roshambo
