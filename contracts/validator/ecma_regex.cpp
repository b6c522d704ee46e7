// ECMA-262 regular expressions (with the `u` flag) parsed per the spec's Pattern grammar and early
// errors, and translated to RE2.
//
// What cannot be translated, and why (ecma_to_re2 fails with a message naming the construct; all of
// these are still valid syntax, so is_valid_ecma_regex accepts them):
// - Lookahead (?=…) (?!…) and lookbehind (?<=…) (?<!…): RE2 has no lookaround. Its automata read
//   each input character once, which is what makes matching linear-time.
// - Backreferences \1 and \k<name>: matching them is NP-hard in general; no linear-time engine has
//   them.
// - ^ and $ inside an `m` modifier group (?m:…): there ECMA anchors also at \r, U+2028 and U+2029,
//   RE2's multi-line mode only at \n, and "just after a line terminator" would need lookbehind.
// - Unicode properties RE2 has no table for: Script_Extensions (scx=…); the binary properties other
//   than the few small, stable ones spelled out below as ranges (ASCII, Any, Assigned, …); scripts
//   missing from this RE2 build's Unicode tables (newer scripts, and Unknown).
// - Inside an `i` modifier group: \b and \B (there ECMA also counts U+017F and U+212A as word
//   characters, RE2's \b is ASCII-only), and \P{…} over an RE2 table (ECMA case-folds the
//   complement, RE2 complements the case-folded set; the results differ).
// - A negated class [^…] that mixes \p{Cn}, \p{C}, \P{LC} or \P{Assigned} with anything else: RE2
//   has no Cn table, so those are spelled as complements, and complementing a union that contains
//   one needs a set intersection RE2 cannot write.
// - Counted repetition beyond RE2's limit of 1000 (also for the product of nested counts): RE2
//   rejects the translation when compiling it.
// Differences that remain: RE2's Unicode tables and case folding follow its own Unicode version,
// which may differ from a JavaScript engine's. Lone surrogates (\uD800) translate to RE2 runes that
// no valid UTF-8 text contains, so they never match, as in ECMA on well-formed strings.
#include "validator/ecma_regex.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace runmock::schema {
namespace {

constexpr char32_t kMaxCodePoint = 0x10FFFF;
// RE2 spelling of the empty set (ECMA's `[]`) and of "any code point" (ECMA's `[^]`).
constexpr std::string_view kNothing = "[^\\x{0}-\\x{10FFFF}]";
constexpr std::string_view kAnything = "(?s:.)";

struct Range {
  char32_t lo;
  char32_t hi;
};

// A set of code points in a form RE2 can spell: the union of `ranges`, of the RE2 Unicode classes
// in `groups` (`\p{L}`, `\P{Greek}`) and of the complement of each set in `complements`.
// Complements are needed only because RE2 has no table for unassigned code points (Cn).
struct CharSet {
  std::vector<Range> ranges;
  std::vector<std::string> groups;
  std::vector<CharSet> complements;  // each with empty `complements`
};

// --- Fixed character sets -----------------------------------------------------------------------

const std::vector<Range> kDigits = {{'0', '9'}};
const std::vector<Range> kWordChars = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
// Under case-insensitive matching ECMA's \w also contains the characters that case-fold into it:
// U+017F LATIN SMALL LETTER LONG S and U+212A KELVIN SIGN.
const std::vector<Range> kWordCharsIgnoreCase = {{'0', '9'}, {'A', 'Z'},     {'_', '_'},
                                                 {'a', 'z'}, {0x17F, 0x17F}, {0x212A, 0x212A}};
// ECMA's \s: WhiteSpace (TAB, VT, FF, ZWNBSP U+FEFF and the Space_Separator category) plus
// LineTerminator (LF, CR, U+2028, U+2029).
const std::vector<Range> kWhiteSpace = {{0x09, 0x0D},     {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680},
                                        {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F},
                                        {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};

// The general categories that make up "assigned" (everything but Cn), as RE2 classes.
const std::vector<std::string> kAssignedGroups = {"\\p{L}", "\\p{M}",  "\\p{N}",  "\\p{P}",  "\\p{S}",
                                                  "\\p{Z}", "\\p{Cc}", "\\p{Cf}", "\\p{Co}", "\\p{Cs}"};

std::vector<Range> complement(std::vector<Range> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](Range a, Range b) { return a.lo < b.lo; });
  std::vector<Range> out;
  char32_t next = 0;  // lowest code point not yet covered
  bool done = false;
  for (const Range& r : ranges) {
    if (r.lo > next) out.push_back({next, r.lo - 1});
    if (r.hi >= kMaxCodePoint) {
      done = true;
      break;
    }
    next = std::max<char32_t>(next, r.hi + 1);
  }
  if (!done) out.push_back({next, kMaxCodePoint});
  return out;
}

// --- Unicode property names ---------------------------------------------------------------------

struct Alias {
  std::string_view alias;
  std::string_view canonical;
};

// ECMA-262 table "Value aliases and canonical values for General_Category"; canonical = short name.
// clang-format off
constexpr Alias kGeneralCategories[] = {
    {"C", "C"},   {"Other", "C"},  {"Cc", "Cc"},   {"Control", "Cc"},   {"cntrl", "Cc"},
    {"Cf", "Cf"}, {"Format", "Cf"}, {"Cn", "Cn"},  {"Unassigned", "Cn"}, {"Co", "Co"},
    {"Private_Use", "Co"}, {"Cs", "Cs"}, {"Surrogate", "Cs"}, {"L", "L"}, {"Letter", "L"},
    {"LC", "LC"}, {"Cased_Letter", "LC"}, {"Ll", "Ll"}, {"Lowercase_Letter", "Ll"}, {"Lm", "Lm"},
    {"Modifier_Letter", "Lm"}, {"Lo", "Lo"}, {"Other_Letter", "Lo"}, {"Lt", "Lt"},
    {"Titlecase_Letter", "Lt"}, {"Lu", "Lu"}, {"Uppercase_Letter", "Lu"}, {"M", "M"}, {"Mark", "M"},
    {"Combining_Mark", "M"}, {"Mc", "Mc"}, {"Spacing_Mark", "Mc"}, {"Me", "Me"},
    {"Enclosing_Mark", "Me"}, {"Mn", "Mn"}, {"Nonspacing_Mark", "Mn"}, {"N", "N"}, {"Number", "N"},
    {"Nd", "Nd"}, {"Decimal_Number", "Nd"}, {"digit", "Nd"}, {"Nl", "Nl"}, {"Letter_Number", "Nl"},
    {"No", "No"}, {"Other_Number", "No"}, {"P", "P"}, {"Punctuation", "P"}, {"punct", "P"},
    {"Pc", "Pc"}, {"Connector_Punctuation", "Pc"}, {"Pd", "Pd"}, {"Dash_Punctuation", "Pd"},
    {"Pe", "Pe"}, {"Close_Punctuation", "Pe"}, {"Pf", "Pf"}, {"Final_Punctuation", "Pf"},
    {"Pi", "Pi"}, {"Initial_Punctuation", "Pi"}, {"Po", "Po"}, {"Other_Punctuation", "Po"},
    {"Ps", "Ps"}, {"Open_Punctuation", "Ps"}, {"S", "S"}, {"Symbol", "S"}, {"Sc", "Sc"},
    {"Currency_Symbol", "Sc"}, {"Sk", "Sk"}, {"Modifier_Symbol", "Sk"}, {"Sm", "Sm"},
    {"Math_Symbol", "Sm"}, {"So", "So"}, {"Other_Symbol", "So"}, {"Z", "Z"}, {"Separator", "Z"},
    {"Zl", "Zl"}, {"Line_Separator", "Zl"}, {"Zp", "Zp"}, {"Paragraph_Separator", "Zp"},
    {"Zs", "Zs"}, {"Space_Separator", "Zs"},
};
// clang-format on

// ECMA-262 table "Binary Unicode property aliases and their canonical property names".
// clang-format off
constexpr Alias kBinaryProperties[] = {
    {"ASCII", "ASCII"}, {"ASCII_Hex_Digit", "ASCII_Hex_Digit"}, {"AHex", "ASCII_Hex_Digit"},
    {"Alphabetic", "Alphabetic"}, {"Alpha", "Alphabetic"}, {"Any", "Any"}, {"Assigned", "Assigned"},
    {"Bidi_Control", "Bidi_Control"}, {"Bidi_C", "Bidi_Control"}, {"Bidi_Mirrored", "Bidi_Mirrored"},
    {"Bidi_M", "Bidi_Mirrored"}, {"Case_Ignorable", "Case_Ignorable"}, {"CI", "Case_Ignorable"},
    {"Cased", "Cased"}, {"Changes_When_Casefolded", "Changes_When_Casefolded"},
    {"CWCF", "Changes_When_Casefolded"}, {"Changes_When_Casemapped", "Changes_When_Casemapped"},
    {"CWCM", "Changes_When_Casemapped"}, {"Changes_When_Lowercased", "Changes_When_Lowercased"},
    {"CWL", "Changes_When_Lowercased"},
    {"Changes_When_NFKC_Casefolded", "Changes_When_NFKC_Casefolded"},
    {"CWKCF", "Changes_When_NFKC_Casefolded"}, {"Changes_When_Titlecased", "Changes_When_Titlecased"},
    {"CWT", "Changes_When_Titlecased"}, {"Changes_When_Uppercased", "Changes_When_Uppercased"},
    {"CWU", "Changes_When_Uppercased"}, {"Dash", "Dash"},
    {"Default_Ignorable_Code_Point", "Default_Ignorable_Code_Point"},
    {"DI", "Default_Ignorable_Code_Point"}, {"Deprecated", "Deprecated"}, {"Dep", "Deprecated"},
    {"Diacritic", "Diacritic"}, {"Dia", "Diacritic"}, {"Emoji", "Emoji"},
    {"Emoji_Component", "Emoji_Component"}, {"EComp", "Emoji_Component"},
    {"Emoji_Modifier", "Emoji_Modifier"}, {"EMod", "Emoji_Modifier"},
    {"Emoji_Modifier_Base", "Emoji_Modifier_Base"}, {"EBase", "Emoji_Modifier_Base"},
    {"Emoji_Presentation", "Emoji_Presentation"}, {"EPres", "Emoji_Presentation"},
    {"Extended_Pictographic", "Extended_Pictographic"}, {"ExtPict", "Extended_Pictographic"},
    {"Extender", "Extender"}, {"Ext", "Extender"}, {"Grapheme_Base", "Grapheme_Base"},
    {"Gr_Base", "Grapheme_Base"}, {"Grapheme_Extend", "Grapheme_Extend"}, {"Gr_Ext", "Grapheme_Extend"},
    {"Hex_Digit", "Hex_Digit"}, {"Hex", "Hex_Digit"}, {"IDS_Binary_Operator", "IDS_Binary_Operator"},
    {"IDSB", "IDS_Binary_Operator"}, {"IDS_Trinary_Operator", "IDS_Trinary_Operator"},
    {"IDST", "IDS_Trinary_Operator"}, {"ID_Continue", "ID_Continue"}, {"IDC", "ID_Continue"},
    {"ID_Start", "ID_Start"}, {"IDS", "ID_Start"}, {"Ideographic", "Ideographic"},
    {"Ideo", "Ideographic"}, {"Join_Control", "Join_Control"}, {"Join_C", "Join_Control"},
    {"Logical_Order_Exception", "Logical_Order_Exception"}, {"LOE", "Logical_Order_Exception"},
    {"Lowercase", "Lowercase"}, {"Lower", "Lowercase"}, {"Math", "Math"},
    {"Noncharacter_Code_Point", "Noncharacter_Code_Point"}, {"NChar", "Noncharacter_Code_Point"},
    {"Pattern_Syntax", "Pattern_Syntax"}, {"Pat_Syn", "Pattern_Syntax"},
    {"Pattern_White_Space", "Pattern_White_Space"}, {"Pat_WS", "Pattern_White_Space"},
    {"Quotation_Mark", "Quotation_Mark"}, {"QMark", "Quotation_Mark"}, {"Radical", "Radical"},
    {"Regional_Indicator", "Regional_Indicator"}, {"RI", "Regional_Indicator"},
    {"Sentence_Terminal", "Sentence_Terminal"}, {"STerm", "Sentence_Terminal"},
    {"Soft_Dotted", "Soft_Dotted"}, {"SD", "Soft_Dotted"}, {"Terminal_Punctuation", "Terminal_Punctuation"},
    {"Term", "Terminal_Punctuation"}, {"Unified_Ideograph", "Unified_Ideograph"},
    {"UIdeo", "Unified_Ideograph"}, {"Uppercase", "Uppercase"}, {"Upper", "Uppercase"},
    {"Variation_Selector", "Variation_Selector"}, {"VS", "Variation_Selector"},
    {"White_Space", "White_Space"}, {"space", "White_Space"}, {"XID_Continue", "XID_Continue"},
    {"XIDC", "XID_Continue"}, {"XID_Start", "XID_Start"}, {"XIDS", "XID_Start"},
};
// clang-format on

// Script values and aliases of Unicode's PropertyValueAliases.txt (through Unicode 17), without
// Katakana_Or_Hiragana, which every JavaScript engine rejects (tc39/ecma262#3590); canonical = the
// long name, which is how RE2 names scripts.
// clang-format off
constexpr Alias kScripts[] = {
    {"Adlm", "Adlam"}, {"Ahom", "Ahom"}, {"Hluw", "Anatolian_Hieroglyphs"}, {"Arab", "Arabic"},
    {"Armn", "Armenian"}, {"Avst", "Avestan"}, {"Bali", "Balinese"}, {"Bamu", "Bamum"},
    {"Bass", "Bassa_Vah"}, {"Batk", "Batak"}, {"Berf", "Beria_Erfe"}, {"Beng", "Bengali"}, {"Bhks", "Bhaiksuki"},
    {"Bopo", "Bopomofo"}, {"Brah", "Brahmi"}, {"Brai", "Braille"}, {"Bugi", "Buginese"},
    {"Buhd", "Buhid"}, {"Cans", "Canadian_Aboriginal"}, {"Cari", "Carian"},
    {"Aghb", "Caucasian_Albanian"}, {"Cakm", "Chakma"}, {"Cham", "Cham"}, {"Cher", "Cherokee"},
    {"Chrs", "Chorasmian"}, {"Zyyy", "Common"}, {"Copt", "Coptic"}, {"Qaac", "Coptic"},
    {"Xsux", "Cuneiform"}, {"Cprt", "Cypriot"}, {"Cpmn", "Cypro_Minoan"}, {"Cyrl", "Cyrillic"},
    {"Dsrt", "Deseret"}, {"Deva", "Devanagari"}, {"Diak", "Dives_Akuru"}, {"Dogr", "Dogra"},
    {"Dupl", "Duployan"}, {"Egyp", "Egyptian_Hieroglyphs"}, {"Elba", "Elbasan"},
    {"Elym", "Elymaic"}, {"Ethi", "Ethiopic"}, {"Gara", "Garay"}, {"Geor", "Georgian"},
    {"Glag", "Glagolitic"}, {"Goth", "Gothic"}, {"Gran", "Grantha"}, {"Grek", "Greek"},
    {"Gujr", "Gujarati"}, {"Gong", "Gunjala_Gondi"}, {"Guru", "Gurmukhi"}, {"Gukh", "Gurung_Khema"},
    {"Hani", "Han"}, {"Hang", "Hangul"}, {"Rohg", "Hanifi_Rohingya"}, {"Hano", "Hanunoo"},
    {"Hatr", "Hatran"}, {"Hebr", "Hebrew"}, {"Hira", "Hiragana"}, {"Armi", "Imperial_Aramaic"},
    {"Zinh", "Inherited"}, {"Qaai", "Inherited"}, {"Phli", "Inscriptional_Pahlavi"},
    {"Prti", "Inscriptional_Parthian"}, {"Java", "Javanese"}, {"Kthi", "Kaithi"},
    {"Knda", "Kannada"}, {"Kana", "Katakana"}, {"Kawi", "Kawi"},
    {"Kali", "Kayah_Li"}, {"Khar", "Kharoshthi"}, {"Kits", "Khitan_Small_Script"},
    {"Khmr", "Khmer"}, {"Khoj", "Khojki"}, {"Sind", "Khudawadi"}, {"Krai", "Kirat_Rai"},
    {"Laoo", "Lao"}, {"Latn", "Latin"}, {"Lepc", "Lepcha"}, {"Limb", "Limbu"},
    {"Lina", "Linear_A"}, {"Linb", "Linear_B"}, {"Lisu", "Lisu"}, {"Lyci", "Lycian"},
    {"Lydi", "Lydian"}, {"Mahj", "Mahajani"}, {"Maka", "Makasar"}, {"Mlym", "Malayalam"},
    {"Mand", "Mandaic"}, {"Mani", "Manichaean"}, {"Marc", "Marchen"}, {"Gonm", "Masaram_Gondi"},
    {"Medf", "Medefaidrin"}, {"Mtei", "Meetei_Mayek"}, {"Mend", "Mende_Kikakui"},
    {"Merc", "Meroitic_Cursive"}, {"Mero", "Meroitic_Hieroglyphs"}, {"Plrd", "Miao"},
    {"Modi", "Modi"}, {"Mong", "Mongolian"}, {"Mroo", "Mro"}, {"Mult", "Multani"},
    {"Mymr", "Myanmar"}, {"Nagm", "Nag_Mundari"}, {"Nbat", "Nabataean"}, {"Nand", "Nandinagari"},
    {"Talu", "New_Tai_Lue"}, {"Newa", "Newa"}, {"Nkoo", "Nko"}, {"Nshu", "Nushu"},
    {"Hmnp", "Nyiakeng_Puachue_Hmong"}, {"Ogam", "Ogham"}, {"Olck", "Ol_Chiki"}, {"Onao", "Ol_Onal"},
    {"Hung", "Old_Hungarian"}, {"Ital", "Old_Italic"}, {"Narb", "Old_North_Arabian"},
    {"Perm", "Old_Permic"}, {"Xpeo", "Old_Persian"}, {"Sogo", "Old_Sogdian"},
    {"Sarb", "Old_South_Arabian"}, {"Orkh", "Old_Turkic"}, {"Ougr", "Old_Uyghur"},
    {"Orya", "Oriya"}, {"Osge", "Osage"}, {"Osma", "Osmanya"}, {"Hmng", "Pahawh_Hmong"},
    {"Palm", "Palmyrene"}, {"Pauc", "Pau_Cin_Hau"}, {"Phag", "Phags_Pa"}, {"Phnx", "Phoenician"},
    {"Phlp", "Psalter_Pahlavi"}, {"Rjng", "Rejang"}, {"Runr", "Runic"}, {"Samr", "Samaritan"},
    {"Saur", "Saurashtra"}, {"Shrd", "Sharada"}, {"Shaw", "Shavian"}, {"Sidd", "Siddham"},
    {"Sidt", "Sidetic"}, {"Sgnw", "SignWriting"}, {"Sinh", "Sinhala"}, {"Sogd", "Sogdian"}, {"Sora", "Sora_Sompeng"},
    {"Soyo", "Soyombo"}, {"Sund", "Sundanese"}, {"Sunu", "Sunuwar"}, {"Sylo", "Syloti_Nagri"},
    {"Syrc", "Syriac"}, {"Tglg", "Tagalog"}, {"Tagb", "Tagbanwa"}, {"Tale", "Tai_Le"}, {"Tayo", "Tai_Yo"},
    {"Lana", "Tai_Tham"}, {"Tavt", "Tai_Viet"}, {"Takr", "Takri"}, {"Taml", "Tamil"},
    {"Tnsa", "Tangsa"}, {"Tang", "Tangut"}, {"Telu", "Telugu"}, {"Thaa", "Thaana"}, {"Thai", "Thai"},
    {"Tibt", "Tibetan"}, {"Tfng", "Tifinagh"}, {"Tirh", "Tirhuta"}, {"Todr", "Todhri"}, {"Tols", "Tolong_Siki"},
    {"Toto", "Toto"}, {"Tutg", "Tulu_Tigalari"}, {"Ugar", "Ugaritic"}, {"Zzzz", "Unknown"},
    {"Vaii", "Vai"}, {"Vith", "Vithkuqi"}, {"Wcho", "Wancho"}, {"Wara", "Warang_Citi"},
    {"Yezi", "Yezidi"}, {"Yiii", "Yi"}, {"Zanb", "Zanabazar_Square"},
};
// clang-format on

template <size_t N>
std::optional<std::string_view> lookup(const Alias (&table)[N], std::string_view name) {
  for (const Alias& a : table) {
    if (a.alias == name || a.canonical == name) return a.canonical;
  }
  return std::nullopt;
}

// Whether RE2's tables (of its own Unicode version) have the script; probed once for all scripts.
bool re2_knows_script(std::string_view script) {
  static const std::set<std::string_view> known = [] {
    std::set<std::string_view> names;
    for (const Alias& a : kScripts) {
      if (RE2("\\p{" + std::string(a.canonical) + "}", RE2::Quiet).ok()) names.insert(a.canonical);
    }
    return names;
  }();
  return known.contains(script);
}

// Binary properties that are small and (nearly) frozen by Unicode's stability policies, so they can
// be spelled as ranges; RE2 has tables for none of them. nullopt for the rest.
std::optional<std::vector<Range>> binary_property_ranges(std::string_view canonical) {
  if (canonical == "Any") return std::vector<Range>{{0, kMaxCodePoint}};
  if (canonical == "ASCII") return std::vector<Range>{{0, 0x7F}};
  if (canonical == "ASCII_Hex_Digit") return std::vector<Range>{{'0', '9'}, {'A', 'F'}, {'a', 'f'}};
  if (canonical == "Hex_Digit") {
    return std::vector<Range>{{'0', '9'}, {'A', 'F'}, {'a', 'f'}, {0xFF10, 0xFF19}, {0xFF21, 0xFF26}, {0xFF41, 0xFF46}};
  }
  if (canonical == "White_Space") {
    return std::vector<Range>{{0x09, 0x0D},     {0x20, 0x20},     {0x85, 0x85},     {0xA0, 0xA0},     {0x1680, 0x1680},
                              {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}};
  }
  if (canonical == "Pattern_White_Space") {
    return std::vector<Range>{{0x09, 0x0D}, {0x20, 0x20}, {0x85, 0x85}, {0x200E, 0x200F}, {0x2028, 0x2029}};
  }
  if (canonical == "Join_Control") return std::vector<Range>{{0x200C, 0x200D}};
  if (canonical == "Regional_Indicator") return std::vector<Range>{{0x1F1E6, 0x1F1FF}};
  if (canonical == "Noncharacter_Code_Point") {
    std::vector<Range> ranges = {{0xFDD0, 0xFDEF}};
    for (char32_t plane = 0; plane <= 0x10; ++plane)
      ranges.push_back({plane * 0x10000 + 0xFFFE, plane * 0x10000 + 0xFFFF});
    return ranges;
  }
  return std::nullopt;
}

// --- Code points --------------------------------------------------------------------------------

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string to_utf8(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

// Strict UTF-8 (no overlong forms, surrogates or values past U+10FFFF): an ECMA pattern is a
// sequence of code points, and ours arrive as UTF-8 from JSON. On failure, *bad is the byte offset.
std::optional<std::u32string> decode_utf8(std::string_view s, size_t* bad) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    char32_t c = 0;
    char32_t min = 0;
    if (b0 < 0x80) {
      len = 1, c = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2, c = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, c = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, c = b0 & 0x07, min = 0x10000;
    } else {
      *bad = i;
      return std::nullopt;
    }
    if (i + len > s.size()) {
      *bad = i;
      return std::nullopt;
    }
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) {
        *bad = i;
        return std::nullopt;
      }
      c = (c << 6) | (b & 0x3F);
    }
    if (c < min || c > kMaxCodePoint || (c >= 0xD800 && c <= 0xDFFF)) {
      *bad = i;
      return std::nullopt;
    }
    out += c;
    i += len;
  }
  return out;
}

std::string hex(char32_t c) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[c & 0xF]);
    c >>= 4;
  } while (c != 0);
  return out;
}

// RE2 spelling of one code point outside a class (`specials` are the characters to backslash) or
// inside one. Controls and non-ASCII become \x{…} so the output is unambiguous to read.
std::string re2_char(char32_t c, std::string_view specials) {
  if (c < 0x20 || c >= 0x7F) return "\\x{" + hex(c) + "}";
  const char ch = static_cast<char>(c);
  if (specials.find(ch) != std::string_view::npos) return std::string("\\") + ch;
  return std::string(1, ch);
}
std::string re2_literal(char32_t c) { return re2_char(c, "\\.+*?()|[]{}^$"); }
std::string re2_class_char(char32_t c) { return re2_char(c, "\\]^-["); }

// The inside of an RE2 class for `ranges` and `groups`.
std::string class_body(const CharSet& set) {
  std::string body;
  for (const Range& r : set.ranges) {
    body += re2_class_char(r.lo);
    if (r.hi != r.lo) body += "-" + re2_class_char(r.hi);
  }
  for (const std::string& g : set.groups) body += g;
  return body;
}

// One RE2 atom matching exactly the code points of `set`: a class, or an alternation of classes
// when the set involves complements. A set of plain ranges is spelled by its complement when that
// is shorter (\D as [^0-9]), except under case folding: there RE2's [^X] means "not in X's case
// closure", which equals the complement only for sets closed under case folding.
std::string emit(const CharSet& set, bool ignore_case) {
  std::vector<std::string> alternatives;
  if (set.ranges.empty() && set.groups.size() == 1 && set.complements.empty()) return set.groups[0];
  if (!ignore_case && set.groups.empty() && set.complements.empty()) {
    const CharSet inverse{complement(set.ranges), {}, {}};
    if (!inverse.ranges.empty() && inverse.ranges.size() < set.ranges.size()) return "[^" + class_body(inverse) + "]";
  }
  if (!set.ranges.empty() || !set.groups.empty()) alternatives.push_back("[" + class_body(set) + "]");
  for (const CharSet& c : set.complements) alternatives.push_back("[^" + class_body(c) + "]");
  if (alternatives.empty()) return std::string(kNothing);
  if (alternatives.size() == 1) return alternatives[0];
  std::string out = "(?:";
  for (size_t i = 0; i < alternatives.size(); ++i) out += (i ? "|" : "") + alternatives[i];
  return out + ")";
}

bool is_hex_digit(char32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char32_t hex_value(char32_t c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }
bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_ascii_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_syntax_character(char32_t c) {
  return c < 0x80 && std::string_view("^$\\.*+?()[]{}|").find(static_cast<char>(c)) != std::string_view::npos;
}

// ID_Start / ID_Continue (which group names must use) from RE2's general category tables plus the
// Other_ID_Start / Other_ID_Continue code points, minus the one Pattern_Syntax letter, U+2E2F.
bool is_id_start(char32_t c) {
  static const RE2 re("[\\p{L}\\p{Nl}$_\\x{1885}\\x{1886}\\x{2118}\\x{212E}\\x{309B}\\x{309C}]");
  std::string s;
  append_utf8(s, c);
  return c != 0x2E2F && RE2::FullMatch(s, re);
}
bool is_id_continue(char32_t c) {
  static const RE2 re(
      "[\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}$\\x{200C}\\x{200D}\\x{1885}\\x{1886}\\x{2118}"
      "\\x{212E}\\x{309B}\\x{309C}\\x{B7}\\x{387}\\x{1369}-\\x{1371}\\x{19DA}\\x{30FB}\\x{FF65}]");
  std::string s;
  append_utf8(s, c);
  return c != 0x2E2F && RE2::FullMatch(s, re);
}

// RE2 versions differ on non-ASCII and repeated group names; only ASCII word names are safe in (?P<name>…).
bool is_re2_group_name(const std::u32string& name) {
  return std::all_of(name.begin(), name.end(),
                     [](char32_t c) { return c == '_' || is_digit(c) || is_ascii_letter(c); });
}

// --- Parser -------------------------------------------------------------------------------------

struct SyntaxError {
  std::string message;
};

// A parser of ECMA-262's Pattern grammar with [+UnicodeMode, +NamedCaptureGroups] that checks the
// early errors and emits the RE2 translation as it goes. Groups are kept on an explicit stack rather
// than by recursion, so that no nesting depth can exhaust the thread's stack (patterns come from
// schemas, which may be hostile). A syntax error aborts the parse (SyntaxError); a construct RE2
// cannot express only records why, so that a later syntax error still wins and is_valid_ecma_regex
// can ignore it.
class Parser {
 public:
  explicit Parser(std::u32string source) : src_(std::move(source)) {}

  std::string parse() {
    while (!at_end()) {
      const size_t at = pos_;
      if (eat('|')) {
        out_ += '|';
        (open_.empty() ? root_alternative_start_ : open_.back().alternative_start) = pos_;
      } else if (eat(')')) {
        if (open_.empty()) fail("unmatched ')'", at);
        const OpenGroup group = open_.back();
        open_.pop_back();
        ignore_case_ = group.ignore_case;
        multiline_ = group.multiline;
        dot_all_ = group.dot_all;
        if (group.lookaround) {
          out_.resize(group.out_start);  // not translated; the parse goes on for the syntax check
          reject_quantifier();           // with the u flag lookarounds cannot be quantified
        } else {
          out_ += ")" + quantifier();
        }
      } else if (next_is('(')) {
        open_group();
      } else {
        out_ += term();
      }
    }
    if (!open_.empty()) fail("missing ')'", open_.back().at);
    check_backreferences();
    return std::move(out_);
  }

  // Why the translation cannot run on RE2; empty when it can.
  const std::string& unsupported() const { return unsupported_; }

 private:
  struct Backreference {
    uint64_t number;  // saturated; 0 for a named reference
    std::u32string name;
    size_t at;
  };
  // A group whose ')' has not come yet, and what to restore then.
  struct OpenGroup {
    size_t at;                 // of its '('
    size_t alternative_start;  // where the current alternative of its disjunction began
    bool lookaround;           // not translated (RE2 has none)
    size_t out_start;          // size of out_ before the group
    bool ignore_case;          // the modifier flags outside the group
    bool multiline;
    bool dot_all;
  };

  [[noreturn]] void fail(const std::string& message, size_t at) const {
    throw SyntaxError{message + " at index " + std::to_string(at)};
  }
  void unsupported(const std::string& what, size_t at, const std::string& why) {
    if (unsupported_.empty()) unsupported_ = what + " at index " + std::to_string(at) + " is not supported: " + why;
  }

  bool at_end() const { return pos_ >= src_.size(); }
  bool next_is(char32_t c) const { return !at_end() && src_[pos_] == c; }
  bool next_is(std::u32string_view s) const { return src_.compare(pos_, s.size(), s) == 0; }
  bool eat(char32_t c) {
    if (!next_is(c)) return false;
    ++pos_;
    return true;
  }

  // A term that is not a group.
  std::string term() {
    if (std::optional<std::string> a = assertion()) {
      reject_quantifier();  // with the u flag no assertion may be quantified
      return *a;
    }
    std::string a = atom();
    return a + quantifier();
  }

  void reject_quantifier() const {
    if (!at_end() && std::u32string_view(U"*+?{").find(src_[pos_]) != std::u32string_view::npos) {
      fail("nothing to repeat", pos_);
    }
  }

  std::optional<std::string> assertion() {
    const size_t at = pos_;
    if (eat('^') || eat('$')) {
      if (multiline_) {
        unsupported(
            std::string(1, static_cast<char>(src_[at])) + " in an m modifier group", at,
            "RE2's multi-line anchors recognise only \\n as a line terminator, ECMA's also \\r, U+2028 and U+2029");
      }
      return std::string(1, static_cast<char>(src_[at]));
    }
    if (next_is(U"\\b") || next_is(U"\\B")) {
      pos_ += 2;
      if (ignore_case_) {
        unsupported(to_utf8(src_.substr(at, 2)) + " in an i modifier group", at,
                    "there ECMA also counts U+017F and U+212A as word characters, RE2's \\b is ASCII-only");
      }
      return to_utf8(src_.substr(at, 2));
    }
    return std::nullopt;
  }

  // Any atom but a group.
  std::string atom() {
    const size_t at = pos_;
    const char32_t c = src_[pos_++];
    switch (c) {
      case '.':
        return dot_all_ ? std::string(kAnything) : "[^\\x{A}\\x{D}\\x{2028}\\x{2029}]";
      case '[':
        return character_class(at);
      case '\\':
        return atom_escape(at);
      case '*':
      case '+':
      case '?':
      case '{':
        fail("nothing to repeat", at);
      case ']':
      case '}':
        fail(std::string("lone '") + static_cast<char>(c) + "' (with the u flag it must be escaped)", at);
      default:
        return re2_literal(c);
    }
  }

  // Quantifier after an atom; RE2 spells all of ECMA's, lazy ones included.
  std::string quantifier() {
    const size_t at = pos_;
    std::string q;
    if (eat('*') || eat('+') || eat('?')) {
      q = std::string(1, static_cast<char>(src_[at]));
    } else if (eat('{')) {
      const std::string min = digits();
      if (min.empty()) fail("incomplete quantifier", at);
      q = "{" + min;
      if (eat(',')) {
        const std::string max = digits();
        if (!max.empty() && (max.size() < min.size() || (max.size() == min.size() && max < min))) {
          fail("numbers out of order in {} quantifier", at);
        }
        q += "," + max;
      }
      if (!eat('}')) fail("incomplete quantifier", at);
      q += "}";
    } else {
      return q;
    }
    if (eat('?')) q += "?";
    return q;
  }

  // DecimalDigits without leading zeros (kept as text: ECMA allows counts of any size).
  std::string digits() {
    const size_t start = pos_;
    while (!at_end() && is_digit(src_[pos_])) ++pos_;
    std::string out = to_utf8(src_.substr(start, pos_ - start));
    out.erase(0, std::min(out.find_first_not_of('0'), out.size() - 1));  // "000" keeps one zero
    return out;
  }

  // At '(': opens a group and emits its RE2 opener. Lookarounds are groups here too, since they
  // nest like groups; only their translation differs.
  void open_group() {
    const size_t at = pos_++;
    OpenGroup group{at, 0, false, out_.size(), ignore_case_, multiline_, dot_all_};
    static constexpr std::pair<std::u32string_view, std::string_view> kLookarounds[] = {
        {U"?=", "lookahead (?=...)"},
        {U"?!", "negative lookahead (?!...)"},
        {U"?<=", "lookbehind (?<=...)"},
        {U"?<!", "negative lookbehind (?<!...)"},
    };
    for (const auto& [opener, what] : kLookarounds) {
      if (!next_is(opener)) continue;
      pos_ += opener.size();
      group.lookaround = true;
      unsupported(std::string(what), at,
                  "RE2 has no lookaround assertions (they are what linear-time matching gives up)");
      break;
    }
    if (!group.lookaround) out_ += group_opener(at);
    group.alternative_start = pos_;
    open_.push_back(group);
  }

  // After the '(' of a group that is not a lookaround: the RE2 text opening it.
  std::string group_opener(size_t at) {
    if (!eat('?')) {
      ++capture_count_;
      return "(";
    }
    if (eat('<')) return named_group(at);
    return modifiers(at);
  }

  // After "(?<" at `at`: the group name and '>'. ES2025 allows a name twice only where the two
  // groups cannot both take part in a match: in different alternatives of some disjunction.
  std::string named_group(size_t at) {
    const std::u32string name = group_name(at);
    ++capture_count_;
    const auto [latest, first] = last_definition_.try_emplace(name, at);
    if (!first) {
      if (might_both_participate(latest->second)) fail("duplicate capture group name '" + to_utf8(name) + "'", at);
      latest->second = at;
    }
    // RE2 cannot name a group twice or with non-ASCII; a plain capture keeps the group numbering.
    if (!first || !is_re2_group_name(name)) return "(";
    return "(?P<" + to_utf8(name) + ">";
  }

  // Whether a group opened earlier at `earlier` and one opening now can both take part in a match.
  // They can unless the innermost disjunction holding both has them in different alternatives. That
  // disjunction is the innermost open one that began before `earlier`, and the earlier group is in
  // another alternative of it exactly when it precedes the current alternative's start.
  // Checking only the latest earlier group of a name suffices: the ones before it are separated
  // from it by some disjunction, which the new group is either inside (then separated from them
  // as well) or outside (then related to them exactly as to the latest).
  bool might_both_participate(size_t earlier) const {
    const auto inner =
        std::partition_point(open_.begin(), open_.end(), [&](const OpenGroup& g) { return g.at < earlier; });
    return earlier >= (inner == open_.begin() ? root_alternative_start_ : std::prev(inner)->alternative_start);
  }

  // After "(?" when neither ':' nor '<' follows: ES2025 modifiers (?ims-ims:…). "(?:" is the case
  // with no modifiers. Returns the RE2 opener, which only needs to carry `i`: `s` is applied by our
  // own translation of '.', and `m` matters only for ^ and $, which are checked for it.
  std::string modifiers(size_t at) {
    auto flags = [&](std::string& seen) {
      while (!at_end() && (src_[pos_] == 'i' || src_[pos_] == 'm' || src_[pos_] == 's')) {
        const char f = static_cast<char>(src_[pos_++]);
        if (seen.find(f) != std::string::npos) fail(std::string("repeated modifier '") + f + "'", at);
        seen += f;
      }
    };
    std::string add;
    std::string remove;
    flags(add);
    const bool has_minus = eat('-');
    if (has_minus) flags(remove);
    if (!eat(':')) fail("invalid group", at);
    if (has_minus && add.empty() && remove.empty()) fail("invalid group: (?-:", at);
    for (char f : remove) {
      if (add.find(f) != std::string::npos) fail(std::string("modifier '") + f + "' both added and removed", at);
    }
    const bool outer_ignore_case = ignore_case_;
    auto update = [&](char f, bool& flag) {
      if (add.find(f) != std::string::npos) flag = true;
      if (remove.find(f) != std::string::npos) flag = false;
    };
    update('i', ignore_case_);
    update('m', multiline_);
    update('s', dot_all_);
    if (ignore_case_ == outer_ignore_case) return "(?:";
    return ignore_case_ ? "(?i:" : "(?-i:";
  }

  // After '<': RegExpIdentifierName '>'.
  std::u32string group_name(size_t at) {
    std::u32string name;
    while (!eat('>')) {
      if (at_end()) fail("invalid capture group name", at);
      char32_t c = src_[pos_++];
      if (c == '\\') {
        if (!eat('u')) fail("invalid capture group name", at);
        c = unicode_escape(at);
      }
      if (!(name.empty() ? is_id_start(c) : is_id_continue(c))) fail("invalid capture group name", at);
      name += c;
    }
    if (name.empty()) fail("invalid capture group name", at);
    return name;
  }

  // After '\' outside a class (\b and \B were taken as assertions).
  std::string atom_escape(size_t at) {
    if (at_end()) fail("\\ at end of pattern", at);
    if (src_[pos_] >= '1' && src_[pos_] <= '9') {
      uint64_t n = 0;
      while (!at_end() && is_digit(src_[pos_])) n = std::min<uint64_t>(n * 10 + (src_[pos_++] - '0'), UINT32_MAX);
      backreferences_.push_back({n, {}, at});
      unsupported("backreference " + to_utf8(src_.substr(at, pos_ - at)), at,
                  "RE2 has no backreferences (no linear-time engine can have them)");
      return std::string();
    }
    if (eat('k')) {
      if (!eat('<')) fail("invalid named reference", at);
      backreferences_.push_back({0, group_name(at), at});
      unsupported("backreference " + to_utf8(src_.substr(at, pos_ - at)), at,
                  "RE2 has no backreferences (no linear-time engine can have them)");
      return std::string();
    }
    const std::variant<char32_t, CharSet> e = character_escape(at, /*in_class=*/false);
    if (const char32_t* c = std::get_if<char32_t>(&e)) return re2_literal(*c);
    return emit(std::get<CharSet>(e), ignore_case_);
  }

  // After '\': the escapes that denote a character or a set, shared by atoms and classes
  // (CharacterClassEscape, CharacterEscape, and in classes ClassEscape's \b and \-).
  std::variant<char32_t, CharSet> character_escape(size_t at, bool in_class) {
    if (at_end()) fail("\\ at end of pattern", at);
    const char32_t c = src_[pos_++];
    switch (c) {
      case 'd':
        return CharSet{kDigits, {}, {}};
      case 'D':
        return CharSet{complement(kDigits), {}, {}};
      case 'w':
        return CharSet{word_chars(), {}, {}};
      case 'W':
        return CharSet{complement(word_chars()), {}, {}};
      case 's':
        return CharSet{kWhiteSpace, {}, {}};
      case 'S':
        return CharSet{complement(kWhiteSpace), {}, {}};
      case 'p':
      case 'P':
        return property(at, c == 'P');
      case 'f':
        return U'\f';
      case 'n':
        return U'\n';
      case 'r':
        return U'\r';
      case 't':
        return U'\t';
      case 'v':
        return U'\v';
      case 'c':
        if (at_end() || !is_ascii_letter(src_[pos_])) fail("invalid \\c escape (needs a letter A-Z or a-z)", at);
        return src_[pos_++] % 32;
      case '0':
        if (!at_end() && is_digit(src_[pos_]))
          fail("invalid decimal escape (octal escapes are not allowed with the u flag)", at);
        return U'\0';
      case 'x': {
        if (pos_ + 2 > src_.size() || !is_hex_digit(src_[pos_]) || !is_hex_digit(src_[pos_ + 1]))
          fail("invalid \\x escape", at);
        const char32_t value = hex_value(src_[pos_]) * 16 + hex_value(src_[pos_ + 1]);
        pos_ += 2;
        return value;
      }
      case 'u':
        return unicode_escape(at);
      case 'b':
        if (in_class) return U'\b';
        break;
      case '-':
        if (in_class) return U'-';
        break;
      default:
        if (is_syntax_character(c) || c == '/') return c;
        break;
    }
    fail("invalid escape \\" + to_utf8(std::u32string(1, c)) +
             " (with the u flag only syntax characters and / may be escaped)",
         at);
  }

  const std::vector<Range>& word_chars() const { return ignore_case_ ? kWordCharsIgnoreCase : kWordChars; }

  // After "\u": XXXX (a lead surrogate followed by \uXXXX with a trail surrogate makes one code
  // point) or {X…}.
  char32_t unicode_escape(size_t at) {
    if (eat('{')) {
      char32_t value = 0;
      const size_t start = pos_;
      while (!at_end() && is_hex_digit(src_[pos_])) {
        value = value * 16 + hex_value(src_[pos_++]);
        if (value > kMaxCodePoint) fail("\\u{...} escape beyond U+10FFFF", at);
      }
      if (pos_ == start || !eat('}')) fail("invalid \\u{...} escape", at);
      return value;
    }
    const std::optional<char32_t> value = four_hex_digits(pos_);
    if (!value) fail("invalid \\u escape", at);
    pos_ += 4;
    if (*value >= 0xD800 && *value <= 0xDBFF && next_is(U"\\u")) {
      const std::optional<char32_t> trail = four_hex_digits(pos_ + 2);
      if (trail && *trail >= 0xDC00 && *trail <= 0xDFFF) {
        pos_ += 6;
        return 0x10000 + ((*value - 0xD800) << 10) + (*trail - 0xDC00);
      }
    }
    return *value;
  }

  std::optional<char32_t> four_hex_digits(size_t from) const {
    if (from + 4 > src_.size()) return std::nullopt;
    char32_t value = 0;
    for (size_t i = from; i < from + 4; ++i) {
      if (!is_hex_digit(src_[i])) return std::nullopt;
      value = value * 16 + hex_value(src_[i]);
    }
    return value;
  }

  // After "\p" or "\P": {Name=Value} or {LoneNameOrValue}, with the exact names of ECMA-262's
  // tables (no loose matching).
  CharSet property(size_t at, bool negated) {
    if (!eat('{')) fail("invalid property escape (\\p and \\P need {...} with the u flag)", at);
    const size_t start = pos_;
    while (!at_end() && src_[pos_] != '}') ++pos_;
    if (at_end()) fail("invalid property escape", at);
    const std::string text = to_utf8(src_.substr(start, pos_ - start));
    ++pos_;
    const std::string escape = to_utf8(src_.substr(at, pos_ - at));
    const size_t eq = text.find('=');
    const bool lone = eq == std::string::npos;
    const std::string_view name = lone ? std::string_view() : std::string_view(text).substr(0, eq);
    const std::string_view value = lone ? std::string_view(text) : std::string_view(text).substr(eq + 1);
    std::optional<CharSet> set;
    std::optional<std::string_view> gc;
    if (lone || name == "General_Category" || name == "gc") {
      gc = lookup(kGeneralCategories, value);
      if (gc) {
        set = general_category(*gc, negated);
      } else if (const std::optional<std::string_view> binary =
                     lone ? lookup(kBinaryProperties, value) : std::nullopt) {
        set = binary_property(*binary, negated, escape, at);
      } else {
        fail("invalid property name " + escape, at);
      }
    } else if (name == "Script" || name == "sc" || name == "Script_Extensions" || name == "scx") {
      const std::optional<std::string_view> script = lookup(kScripts, value);
      if (!script) fail("invalid property name " + escape, at);
      set = script_set(*script, negated, escape, at);
      if (name == "Script_Extensions" || name == "scx") {
        unsupported(escape, at, "RE2 has no Script_Extensions tables");
      }
    } else {
      fail("invalid property name " + escape, at);
    }
    // Under `i` ECMA case-folds the complement; RE2 complements the case-folded set instead. That
    // is the same only for sets closed under case folding, which Cn and our ranges are, but RE2's
    // tables and LC are not.
    const bool complements_table =
        (gc && *gc == "LC") ||
        std::any_of(set->groups.begin(), set->groups.end(), [](const std::string& g) { return g.starts_with("\\P"); });
    if (negated && ignore_case_ && complements_table) {
      unsupported(escape + " in an i modifier group", at,
                  "ECMA case-folds the complement, RE2 complements the case-folded set");
    }
    return *set;
  }

  // RE2's tables have every general category except Cn (and so C, which includes it) and LC.
  static CharSet general_category(std::string_view gc, bool negated) {
    CharSet set;
    const CharSet assigned{{}, kAssignedGroups, {}};
    if (gc == "Cn") {
      if (negated) return assigned;
      set.complements.push_back(assigned);
    } else if (gc == "C") {
      if (negated) return CharSet{{}, {"\\p{L}", "\\p{M}", "\\p{N}", "\\p{P}", "\\p{S}", "\\p{Z}"}, {}};
      set.groups = {"\\p{Cc}", "\\p{Cf}", "\\p{Co}", "\\p{Cs}"};
      set.complements.push_back(assigned);
    } else if (gc == "LC") {
      const CharSet cased{{}, {"\\p{Ll}", "\\p{Lt}", "\\p{Lu}"}, {}};
      if (!negated) return cased;
      set.complements.push_back(cased);
    } else {
      set.groups.push_back((negated ? "\\P{" : "\\p{") + std::string(gc) + "}");
    }
    return set;
  }

  CharSet binary_property(std::string_view canonical, bool negated, const std::string& escape, size_t at) {
    if (canonical == "Assigned") return general_category("Cn", !negated);
    if (std::optional<std::vector<Range>> ranges = binary_property_ranges(canonical)) {
      return CharSet{negated ? complement(*ranges) : *ranges, {}, {}};
    }
    unsupported(escape, at, "RE2 has no table for the Unicode property " + std::string(canonical));
    return CharSet{};
  }

  CharSet script_set(std::string_view script, bool negated, const std::string& escape, size_t at) {
    if (!re2_knows_script(script)) {
      unsupported(escape, at, "this RE2 build has no table for the script " + std::string(script));
    }
    return CharSet{{}, {(negated ? "\\P{" : "\\p{") + std::string(script) + "}"}, {}};
  }

  // After '['.
  std::string character_class(size_t at) {
    const bool negated = eat('^');
    CharSet set;
    while (!eat(']')) {
      const size_t atom_at = pos_;
      std::variant<char32_t, CharSet> first = class_atom(at);
      if (next_is('-') && pos_ + 1 < src_.size() && src_[pos_ + 1] != ']') {
        ++pos_;
        const std::variant<char32_t, CharSet> last = class_atom(at);
        const char32_t* lo = std::get_if<char32_t>(&first);
        const char32_t* hi = std::get_if<char32_t>(&last);
        if (!lo || !hi) fail("invalid character class range (a class escape cannot be an endpoint)", atom_at);
        if (*lo > *hi) fail("range out of order in character class", atom_at);
        set.ranges.push_back({*lo, *hi});
      } else if (const char32_t* c = std::get_if<char32_t>(&first)) {
        set.ranges.push_back({*c, *c});
      } else {
        CharSet& s = std::get<CharSet>(first);
        set.ranges.insert(set.ranges.end(), s.ranges.begin(), s.ranges.end());
        set.groups.insert(set.groups.end(), s.groups.begin(), s.groups.end());
        set.complements.insert(set.complements.end(), s.complements.begin(), s.complements.end());
      }
    }
    if (!negated) return emit(set, ignore_case_);
    // RE2's [^…] and ECMA's agree, also under case folding (both exclude the whole case orbit).
    if (set.complements.empty()) {
      return set.ranges.empty() && set.groups.empty() ? std::string(kAnything) : "[^" + class_body(set) + "]";
    }
    if (set.ranges.empty() && set.groups.empty() && set.complements.size() == 1)
      return emit(set.complements[0], ignore_case_);
    unsupported(
        "negated class containing \\p{Cn}, \\p{C}, \\P{LC} or \\P{Assigned}", at,
        "RE2 has no table of unassigned code points, and the complement of this union would need an intersection");
    return std::string();
  }

  std::variant<char32_t, CharSet> class_atom(size_t class_at) {
    if (at_end()) fail("missing ']'", class_at);
    const size_t at = pos_++;
    if (src_[at] == '\\') return character_escape(at, /*in_class=*/true);
    return src_[at];
  }

  // Backreferences may point forward, so they are checked once every group is known.
  void check_backreferences() const {
    for (const Backreference& ref : backreferences_) {
      if (ref.number > capture_count_) {
        fail("backreference \\" + std::to_string(ref.number) + " to a group that does not exist", ref.at);
      }
      if (ref.number == 0 && !last_definition_.contains(ref.name)) {
        fail("\\k<" + to_utf8(ref.name) + "> names no group", ref.at);
      }
    }
  }

  std::u32string src_;
  size_t pos_ = 0;
  uint64_t capture_count_ = 0;
  std::string out_;  // the translation so far
  std::vector<OpenGroup> open_;
  size_t root_alternative_start_ = 0;
  std::map<std::u32string, size_t> last_definition_;  // group name -> where its latest group opened
  std::vector<Backreference> backreferences_;
  bool ignore_case_ = false;
  bool multiline_ = false;
  bool dot_all_ = false;
  std::string unsupported_;
};

struct Parsed {
  std::string re2_pattern;
  std::string syntax_error;
  std::string unsupported;
};

Parsed parse(std::string_view pattern) {
  size_t bad = 0;
  std::optional<std::u32string> source = decode_utf8(pattern, &bad);
  if (!source) return {{}, "pattern is not valid UTF-8 at byte " + std::to_string(bad), {}};
  Parser parser(std::move(*source));
  try {
    std::string out = parser.parse();
    return {std::move(out), {}, parser.unsupported()};
  } catch (const SyntaxError& e) {
    return {{}, e.message, {}};
  }
}

}  // namespace

RegexTranslation ecma_to_re2(std::string_view ecma_pattern) {
  Parsed parsed = parse(ecma_pattern);
  if (!parsed.syntax_error.empty()) return {{}, "invalid ECMA-262 regular expression: " + parsed.syntax_error};
  if (!parsed.unsupported.empty()) return {{}, parsed.unsupported};
  // Compiling here makes ok() a promise that RE2 accepts the result (it still refuses, for
  // instance, repetition counts above 1000).
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 compiled(parsed.re2_pattern, options);
  if (!compiled.ok()) return {{}, "RE2 rejects the translation " + parsed.re2_pattern + ": " + compiled.error()};
  return {std::move(parsed.re2_pattern), {}};
}

bool is_valid_ecma_regex(std::string_view pattern, std::string* error) {
  Parsed parsed = parse(pattern);
  if (error) *error = parsed.syntax_error;
  return parsed.syntax_error.empty();
}

}  // namespace runmock::schema
