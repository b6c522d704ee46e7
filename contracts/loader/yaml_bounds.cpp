#include "yaml_bounds.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <vector>

namespace runmock::contracts {
namespace {

// The name of the anchor whose node starts at `mark`, read again from the text's events (the
// loaded nodes keep no anchor names). Only a refusal needs it, so the text is parsed only then.
class AnchorNameAt : public YAML::EventHandler {
 public:
  explicit AnchorNameAt(const YAML::Mark& mark) : mark_(mark) {}
  const std::string& name() const { return name_; }

  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    if (mark.pos == mark_.pos) name_ = name;
  }
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  YAML::Mark mark_;
  std::string name_;
};

std::string anchor_name_at(std::string_view source, const YAML::Mark& mark) {
  if (source.empty()) return "";
  std::istringstream in{std::string(source)};
  YAML::Parser parser(in);
  AnchorNameAt handler(mark);
  try {
    while (handler.name().empty() && parser.HandleNextDocument(handler)) {
    }
  } catch (const YAML::Exception&) {
    // A later document that does not parse: the loaded one came before it.
  }
  return handler.name();
}

bool is_collection(const YAML::Node& node) { return node.IsSequence() || node.IsMap(); }

// One pass over the expanded tree. Without a visitor it only measures (and throws at a bound).
class BoundedWalk {
 public:
  BoundedWalk(YamlVisitor* visitor, std::string_view source) : visitor_(visitor), source_(source) {}

  void value(const YAML::Node& node, const YamlStep& step) {
    count(node);
    if (is_collection(node)) check_nesting(node);
    const bool descend = !visitor_ || visitor_->enter(node, step);
    if (descend && is_collection(node)) {
      path_.push_back(node);
      children(node);
      path_.pop_back();
    }
    if (visitor_) visitor_->leave();
  }

 private:
  void children(const YAML::Node& node) {
    std::size_t index = 0;
    if (node.IsSequence()) {
      for (const auto& item : node) value(item, {nullptr, index++});
      return;
    }
    for (const auto& member : node) {
      count(member.first);
      value(member.second, {&member.first, index++});
    }
  }

  void count(const YAML::Node& node) {
    ++values_;
    if (node.IsScalar()) bytes_ += node.Scalar().size();
    if (values_ > kMaxYamlValues) {
      throw YamlBoundsError(node.Mark(), "the document expands to more than " + std::to_string(kMaxYamlValues) + " values (an alias bomb?)");
    }
    if (bytes_ > kMaxYamlScalarBytes) {
      throw YamlBoundsError(node.Mark(),
                            "the document's scalars expand to more than " + std::to_string(kMaxYamlScalarBytes) + " bytes (an alias bomb?)");
    }
  }

  // Identity, not equality: an alias is the node its anchor names, so a collection that is its
  // own ancestor came back through an alias and would expand forever.
  void check_nesting(const YAML::Node& node) const {
    for (const auto& ancestor : path_) {
      if (ancestor.is(node)) {
        const std::string name = anchor_name_at(source_, node.Mark());
        throw YamlBoundsError(node.Mark(), "recursive alias" + (name.empty() ? std::string() : " '*" + name + "'") +
                                               ": the value anchored here contains itself, so it never ends");
      }
    }
    if (path_.size() >= kMaxYamlDepth) {
      throw YamlBoundsError(node.Mark(), "nested more than " + std::to_string(kMaxYamlDepth) + " levels deep (written out or through aliases)");
    }
  }

  YamlVisitor* visitor_;
  std::string_view source_;
  std::vector<YAML::Node> path_;  // the collections around the current value
  std::size_t values_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace

namespace {

// Counts a text's parse events and stops the parse past the bound.
class EventCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { count(mark); }
  void OnDocumentEnd() override { count(last_); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { count(mark); }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { count(mark); }
  void OnSequenceEnd() override { count(last_); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { count(mark); }
  void OnMapEnd() override { count(last_); }

 private:
  void count(const YAML::Mark& mark) {
    last_ = mark;
    if (++events_ > kMaxYamlEvents) {
      throw YamlBoundsError(mark, "the text does not read as a finite YAML document (more than " + std::to_string(kMaxYamlEvents) +
                                      " parse events: a stray ',' or an unclosed flow collection?)");
    }
  }
  std::size_t events_ = 0;
  YAML::Mark last_ = YAML::Mark::null_mark();
};

}  // namespace

std::vector<YAML::Node> load_yaml_documents(const std::string& text) {
  std::stringstream in(text);
  YAML::Parser parser(in);
  EventCounter counter;
  while (parser.HandleNextDocument(counter)) {
  }
  return YAML::LoadAll(text);
}

YAML::Node load_yaml(const std::string& text) {
  auto documents = load_yaml_documents(text);
  return documents.empty() ? YAML::Node() : documents.front();
}

void walk_yaml(const YAML::Node& root, YamlVisitor& visitor, std::string_view source) {
  BoundedWalk(nullptr, source).value(root, {});
  BoundedWalk(&visitor, source).value(root, {});
}

}  // namespace runmock::contracts
