#pragma once

#include <string_view>
#include <vector>

// The plan page's files, built into the binary (cmake/EmbedFiles.cmake): its HTML, script
// and style, and the layout library it uses (dagre, pinned in ui/vendor/) with its license.
namespace wsfleet::ui {

struct PageAsset {
  std::string_view path;          // as requested: "/app.js"
  std::string_view content_type;  // "text/javascript" (all are UTF-8)
  std::string_view body;
};

const std::vector<PageAsset>& PageAssets();

}  // namespace wsfleet::ui
