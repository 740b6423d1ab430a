// A small JSON value for the mock's state file, machine files and control channel.
// Numbers are doubles (every value the mock stores fits exactly in 53 bits).
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace mock {

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::Bool), bool_(b) {}
  Json(double n) : type_(Type::Number), num_(n) {}
  Json(int n) : type_(Type::Number), num_(n) {}
  Json(unsigned n) : type_(Type::Number), num_(n) {}
  Json(long long n) : type_(Type::Number), num_(static_cast<double>(n)) {}
  Json(unsigned long long n) : type_(Type::Number), num_(static_cast<double>(n)) {}
  Json(const char* s) : type_(Type::String), str_(s) {}
  Json(std::string s) : type_(Type::String), str_(std::move(s)) {}

  static Json array() {
    Json j;
    j.type_ = Type::Array;
    return j;
  }
  static Json object() {
    Json j;
    j.type_ = Type::Object;
    return j;
  }
  static Json parse(const std::string& text);  // throws std::runtime_error

  Type type() const { return type_; }
  bool isNull() const { return type_ == Type::Null; }
  bool isBool() const { return type_ == Type::Bool; }
  bool isNumber() const { return type_ == Type::Number; }
  bool isString() const { return type_ == Type::String; }
  bool isArray() const { return type_ == Type::Array; }
  bool isObject() const { return type_ == Type::Object; }

  bool asBool() const;
  double asNumber() const;
  const std::string& asString() const;
  const std::vector<Json>& items() const;
  const std::map<std::string, Json>& members() const;

  bool has(const std::string& key) const;
  const Json& operator[](const std::string& key) const;  // Null when absent
  Json& set(const std::string& key, Json value);
  void push(Json value);

  // Typed member access with defaults; throw std::runtime_error on a present value of the wrong type.
  double num(const std::string& key, double dflt) const;
  std::string str(const std::string& key, const std::string& dflt) const;
  bool flag(const std::string& key, bool dflt) const;

  std::string dump() const;

 private:
  void dumpTo(std::string& out) const;
  Type type_ = Type::Null;
  bool bool_ = false;
  double num_ = 0;
  std::string str_;
  std::vector<Json> arr_;
  std::map<std::string, Json> obj_;
};

}  // namespace mock
