#pragma once
// "Did you mean ...?" for a misspelt name (a config key, a hyperparameter): the valid name it is
// closest to, when it is close enough that the user most likely meant it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treeline {

// The candidate nearest to `word` by edits (insert, delete, replace or swap two neighbours;
// letter case counts as no edit), if at most max(1, |word| / 4) edits away and nearer than any
// other candidate; nullopt otherwise. maxParalelTrials -> maxParallelTrials, max_dept ->
// max_depth; foo -> nothing.
std::optional<std::string> closest_spelling(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace treeline
