#include "racebook/instrumentation.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "racebook/expectation.hpp"

namespace racebook {
namespace {

// The program's bytes, mapped read-only: only the pages of the headers and symbol tables are
// read. (Reading the whole file, 10-25 MB for a case program with debug information, was most
// of the harness's own time per run: measured 60 % of 70-90 ms.)
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      opened_ = true;
      if (st.st_size > 0) {
        void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
          data_ = static_cast<const char*>(p);
          size_ = static_cast<std::size_t>(st.st_size);
        } else {
          opened_ = false;
        }
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  bool opened() const { return opened_; }
  const char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  bool opened_ = false;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

template <class T>
bool read_at(const MappedFile& data, std::size_t offset, T& out) {
  if (offset > data.size() || data.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, data.data() + offset, sizeof(T));
  return true;
}

// base + index * step, or SIZE_MAX when it would overflow (read_at then refuses it).
std::size_t offset_of(std::size_t base, std::size_t index, std::size_t step) {
  if (step != 0 && index > (SIZE_MAX - base) / step) return SIZE_MAX;
  return base + index * step;
}

void classify(std::string_view name, Instrumentation& found) {
  if (name.rfind("__tsan_", 0) == 0) found.tsan = true;
  if (name.rfind("__asan_", 0) == 0) found.asan = true;
  if (name.rfind("__ubsan_handle_", 0) == 0) found.ubsan = true;
}

}  // namespace

Instrumentation read_instrumentation(const std::string& program) {
  Instrumentation found;
  const MappedFile data(program);
  if (!data.opened()) {
    found.problem = "cannot be read";
    return found;
  }
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
    if (!read_at(data, offset_of(eh.e_shoff, i, eh.e_shentsize), sh)) break;
    if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) continue;
    Elf64_Shdr strtab{};
    if (!read_at(data, offset_of(eh.e_shoff, sh.sh_link, eh.e_shentsize), strtab)) continue;
    if (sh.sh_entsize == 0) continue;
    const std::size_t end = sh.sh_size > SIZE_MAX - sh.sh_offset ? SIZE_MAX : sh.sh_offset + sh.sh_size;
    for (std::size_t off = sh.sh_offset; off <= end && end - off >= sh.sh_entsize && off < data.size();
         off += sh.sh_entsize) {
      Elf64_Sym sym{};
      if (!read_at(data, off, sym)) break;
      if (sym.st_name == 0 || strtab.sh_offset >= data.size() ||
          sym.st_name >= data.size() - strtab.sh_offset)
        continue;
      const std::size_t name_at = strtab.sh_offset + sym.st_name;
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
    if (sanitizer == "normal" || is_valgrind_detector(sanitizer)) return "";
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
  if (is_valgrind_detector(sanitizer) && (got.tsan || got.asan)) {
    return program + " is built with " + (got.tsan ? "ThreadSanitizer" : "AddressSanitizer") +
           ", which cannot run under Valgrind's " + sanitizer + "; use the build of the preset " +
           sanitizer + " (plain -g -O0)";
  }
  if (sanitizer == "normal" && (got.tsan || got.asan)) {
    return program + " is built with " + (got.tsan ? "ThreadSanitizer" : "AddressSanitizer") +
           ", but was run as --sanitizer normal; run it as --sanitizer " +
           (got.tsan ? "tsan" : "asan") + ", or use the build of the preset normal";
  }
  return "";
}

}  // namespace racebook
