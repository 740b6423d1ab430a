#include "json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mock {

namespace {

const Json kNull;

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  Json parseDocument() {
    Json v = value();
    skipWs();
    if (pos_ != s_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("JSON: ") + what + " at offset " + std::to_string(pos_));
  }
  void skipWs() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) pos_++;
  }
  bool consume(char c) {
    skipWs();
    if (pos_ < s_.size() && s_[pos_] == c) {
      pos_++;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c)) fail("unexpected character");
  }
  bool literal(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(pos_, n, word) == 0) {
      pos_ += n;
      return true;
    }
    return false;
  }

  Json value() {
    if (++depth_ > 64) fail("nesting too deep");
    skipWs();
    if (pos_ >= s_.size()) fail("unexpected end");
    Json out;
    char c = s_[pos_];
    if (c == '{') {
      pos_++;
      out = Json::object();
      if (!consume('}')) {
        do {
          skipWs();
          if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a key");
          std::string key = string();
          expect(':');
          out.set(key, value());
        } while (consume(','));
        expect('}');
      }
    } else if (c == '[') {
      pos_++;
      out = Json::array();
      if (!consume(']')) {
        do {
          out.push(value());
        } while (consume(','));
        expect(']');
      }
    } else if (c == '"') {
      out = Json(string());
    } else if (literal("true")) {
      out = Json(true);
    } else if (literal("false")) {
      out = Json(false);
    } else if (literal("null")) {
      out = Json();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      const char* begin = s_.c_str() + pos_;
      char* end = nullptr;
      double d = std::strtod(begin, &end);
      if (end == begin) fail("bad number");
      pos_ += static_cast<size_t>(end - begin);
      out = Json(d);
    } else {
      fail("unexpected character");
    }
    depth_--;
    return out;
  }

  std::string string() {
    pos_++;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated string");
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) fail("bad escape");
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (pos_ + 4 > s_.size()) fail("bad \\u escape");
          unsigned cp = static_cast<unsigned>(std::strtoul(s_.substr(pos_, 4).c_str(), nullptr, 16));
          pos_ += 4;
          // Only the basic plane is needed for names and paths; encode as UTF-8.
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: fail("bad escape");
      }
    }
  }

  const std::string& s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Json Json::parse(const std::string& text) { return Parser(text).parseDocument(); }

bool Json::asBool() const {
  if (type_ != Type::Bool) throw std::runtime_error("expected a boolean");
  return bool_;
}
double Json::asNumber() const {
  if (type_ != Type::Number) throw std::runtime_error("expected a number");
  return num_;
}
const std::string& Json::asString() const {
  if (type_ != Type::String) throw std::runtime_error("expected a string");
  return str_;
}
const std::vector<Json>& Json::items() const {
  if (type_ != Type::Array) throw std::runtime_error("expected an array");
  return arr_;
}
const std::map<std::string, Json>& Json::members() const {
  if (type_ != Type::Object) throw std::runtime_error("expected an object");
  return obj_;
}
bool Json::has(const std::string& key) const {
  return type_ == Type::Object && obj_.count(key) > 0 && !obj_.at(key).isNull();
}
const Json& Json::operator[](const std::string& key) const {
  if (type_ != Type::Object) return kNull;
  auto it = obj_.find(key);
  return it == obj_.end() ? kNull : it->second;
}
Json& Json::set(const std::string& key, Json value) {
  if (type_ != Type::Object) throw std::runtime_error("not an object");
  return obj_[key] = std::move(value);
}
void Json::push(Json value) {
  if (type_ != Type::Array) throw std::runtime_error("not an array");
  arr_.push_back(std::move(value));
}

double Json::num(const std::string& key, double dflt) const {
  const Json& v = (*this)[key];
  if (v.isNull()) return dflt;
  if (!v.isNumber()) throw std::runtime_error("'" + key + "' must be a number");
  return v.num_;
}
std::string Json::str(const std::string& key, const std::string& dflt) const {
  const Json& v = (*this)[key];
  if (v.isNull()) return dflt;
  if (!v.isString()) throw std::runtime_error("'" + key + "' must be a string");
  return v.str_;
}
bool Json::flag(const std::string& key, bool dflt) const {
  const Json& v = (*this)[key];
  if (v.isNull()) return dflt;
  if (!v.isBool()) throw std::runtime_error("'" + key + "' must be a boolean");
  return v.bool_;
}

std::string Json::dump() const {
  std::string out;
  dumpTo(out);
  return out;
}

void Json::dumpTo(std::string& out) const {
  switch (type_) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += bool_ ? "true" : "false"; break;
    case Type::Number: {
      char buf[40];
      if (std::isfinite(num_) && num_ == std::floor(num_) && std::fabs(num_) < 9.007199254740992e15) {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(num_));
      } else if (std::isfinite(num_)) {
        std::snprintf(buf, sizeof buf, "%.17g", num_);
      } else {
        std::snprintf(buf, sizeof buf, "null");
      }
      out += buf;
      break;
    }
    case Type::String: {
      out += '"';
      for (unsigned char c : str_) {
        if (c == '"')
          out += "\\\"";
        else if (c == '\\')
          out += "\\\\";
        else if (c == '\n')
          out += "\\n";
        else if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else
          out += static_cast<char>(c);
      }
      out += '"';
      break;
    }
    case Type::Array: {
      out += '[';
      for (size_t i = 0; i < arr_.size(); i++) {
        if (i) out += ',';
        arr_[i].dumpTo(out);
      }
      out += ']';
      break;
    }
    case Type::Object: {
      out += '{';
      bool first = true;
      for (const auto& kv : obj_) {
        if (!first) out += ',';
        first = false;
        Json(kv.first).dumpTo(out);
        out += ':';
        kv.second.dumpTo(out);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace mock
