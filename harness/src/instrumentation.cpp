#include "racebook/instrumentation.hpp"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

namespace racebook {
namespace {

template <class T>
bool read_at(const std::vector<char>& data, std::size_t offset, T& out) {
  if (offset > data.size() || data.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, data.data() + offset, sizeof(T));
  return true;
}

void classify(std::string_view name, Instrumentation& found) {
  if (name.rfind("__tsan_", 0) == 0) found.tsan = true;
  if (name.rfind("__asan_", 0) == 0) found.asan = true;
  if (name.rfind("__ubsan_handle_", 0) == 0) found.ubsan = true;
}

}  // namespace

Instrumentation read_instrumentation(const std::string& program) {
  Instrumentation found;
  std::ifstream in(program, std::ios::binary);
  if (!in) {
    found.problem = "cannot be read";
    return found;
  }
  const std::vector<char> data((std::istreambuf_iterator<char>(in)), {});
  Elf64_Ehdr eh{};
  if (!read_at(data, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
    found.problem = "is not an ELF program (a script or wrapper?)";
    return found;
  }
  if (eh.e_ident[EI_CLASS] != ELFCLASS64) {
    found.problem = "is not a 64-bit ELF program";
    return found;
  }
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh{};
    if (!read_at(data, eh.e_shoff + std::size_t{i} * eh.e_shentsize, sh)) break;
    if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) continue;
    Elf64_Shdr strtab{};
    if (!read_at(data, eh.e_shoff + std::size_t{sh.sh_link} * eh.e_shentsize, strtab)) continue;
    if (sh.sh_entsize == 0) continue;
    for (std::size_t off = sh.sh_offset; off + sh.sh_entsize <= sh.sh_offset + sh.sh_size;
         off += sh.sh_entsize) {
      Elf64_Sym sym{};
      if (!read_at(data, off, sym)) break;
      const std::size_t name_at = strtab.sh_offset + sym.st_name;
      if (sym.st_name == 0 || name_at >= data.size()) continue;
      const char* name = data.data() + name_at;
      const std::size_t max = data.size() - name_at;
      classify(std::string_view(name, strnlen(name, max)), found);
    }
  }
  found.readable = true;
  return found;
}

std::string instrumentation_mismatch(const std::string& program, const std::string& sanitizer) {
  const Instrumentation got = read_instrumentation(program);
  if (!got.readable) {
    if (sanitizer == "normal") return "";
    return program + " " + got.problem + "; racebook checks that a " + sanitizer +
           " program carries its runtime, so give it the instrumented binary itself";
  }
  const std::string preset = sanitizer == "tsan" ? "tsan or tsan-clang" : "asan or asan-clang";
  if (sanitizer == "tsan" && !got.tsan) {
    return program + " carries no ThreadSanitizer runtime (no __tsan_* symbol): it was not built "
           "with -fsanitize=thread, so its silence would prove nothing. Use the build of the "
           "preset " + preset + " (cmake --workflow --preset tsan)";
  }
  if (sanitizer == "asan" && !(got.asan && got.ubsan)) {
    return program + " carries no " +
           std::string(got.asan ? "UndefinedBehaviorSanitizer" : "AddressSanitizer") +
           " runtime (no " + (got.asan ? "__ubsan_handle_*" : "__asan_*") +
           " symbol): racebook's asan verdicts need -fsanitize=address,undefined. Use the build "
           "of the preset " + preset + " (cmake --workflow --preset asan)";
  }
  if (sanitizer == "normal" && (got.tsan || got.asan)) {
    return program + " is built with " + (got.tsan ? "ThreadSanitizer" : "AddressSanitizer") +
           ", but was run as --sanitizer normal; run it as --sanitizer " +
           (got.tsan ? "tsan" : "asan") + ", or use the build of the preset normal";
  }
  return "";
}

}  // namespace racebook
