// Clean-up of what a person types at a prompt (or a script writes with --json).
#pragma once

#include <string>
#include <string_view>

namespace mtjson::signin {

std::string_view strip_line_end(std::string_view text);  // drops a trailing "\n" / "\r\n"
std::string trim(std::string_view text);                 // spaces, tabs, CR, LF at both ends

// "+1 (555) 123-4567" -> "15551234567"; "" when anything but digits and those separators is left.
std::string normalize_phone(std::string_view text);
// "22 222", "22-222" -> "22222"; a code that is not digits (a word sent by SMS) is only trimmed.
std::string normalize_code(std::string_view text);
// "123456:ABC-DEF": digits, a colon, something after it.
bool looks_like_bot_token(std::string_view text);

}  // namespace mtjson::signin
