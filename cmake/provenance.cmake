# What a corpus build is, written to <build>/racebook-build.json for the provenance of the
# generated docs (racebook-harness docs, detectors) and of every summary. Included by
# cmake/sanitizers.cmake, which sets the names and flags it records.
#
#   compiler                  the harness's short name: gcc12, clang19 (_racebook_compiler_name)
#   compiler_command          CMAKE_CXX_COMPILER as CMake found it (/usr/bin/clang++-19)
#   compiler_path             the same with every symlink resolved (/usr/lib/llvm-19/bin/clang)
#   compiler_version          CMake's version of it, 12.2.0 (what docs and detectors sort and label by)
#   compiler_version_full     the first line of `<compiler> --version`, whole
#   compiler_package(_version) the Debian package that owns compiler_path (g++-12, not the g++
#                             that points at it), when dpkg knows it
#   sanitizer                 normal, tsan, asan, ... (the harness's --sanitizer)
#   case_flags                the case programs' compile options
#   runtime                   what the case programs' sanitizer really brings, a list of
#                             {library, path, package, package_version}: the shared libraries a
#                             program built with the sanitizer's link flags loads (gcc: libtsan.so.2,
#                             libasan.so.8 + libubsan.so.1, as ldd resolves them) and the static
#                             libclang_rt archives clang's link line names (clang++ -###); for
#                             Valgrind's detectors the valgrind binary with `valgrind --version`.
#                             Empty for a plain build. package fields are "" when dpkg does not know.
#   runtime_text              the same in one line, for tables
#
# Inputs (set by the includer): RACEBOOK_COMPILER_NAME, RACEBOOK_SANITIZER_NAME,
# _racebook_flag_text (the case programs' compile options, one string), _racebook_flags (the
# sanitizer's link flags, a list; empty for a plain build).

# `dpkg -S` for each path (the first that dpkg knows wins): sets <out>_package and
# <out>_package_version ("" when dpkg is missing or knows none of them).
function(_racebook_dpkg_owner out)
  set(package "")
  set(version "")
  find_program(RACEBOOK_DPKG dpkg)
  find_program(RACEBOOK_DPKG_QUERY dpkg-query)
  mark_as_advanced(RACEBOOK_DPKG RACEBOOK_DPKG_QUERY)
  if(RACEBOOK_DPKG AND RACEBOOK_DPKG_QUERY)
    foreach(path IN LISTS ARGN)
      execute_process(COMMAND "${RACEBOOK_DPKG}" -S "${path}"
        RESULT_VARIABLE status OUTPUT_VARIABLE owner ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
      # "libtsan2:amd64: /usr/lib/x86_64-linux-gnu/libtsan.so.2.0.0" (one line per owner; a
      # diversion line starts "diversion by").
      if(status EQUAL 0 AND owner MATCHES "^([^ :,]+(:[a-z0-9]+)?): ")
        set(package "${CMAKE_MATCH_1}")
        execute_process(COMMAND "${RACEBOOK_DPKG_QUERY}" -W "-f=\${Version}" "${package}"
          RESULT_VARIABLE status OUTPUT_VARIABLE version ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
        if(NOT status EQUAL 0)
          set(version "")
        endif()
        string(REGEX REPLACE ":[a-z0-9]+$" "" package "${package}")  # libtsan2:amd64 -> libtsan2
        break()
      endif()
    endforeach()
  endif()
  set(${out}_package "${package}" PARENT_SCOPE)
  set(${out}_package_version "${version}" PARENT_SCOPE)
endfunction()

# A JSON string holding any text (\ " and control characters escaped).
function(_racebook_json_string text out)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "\n" "\\n" text "${text}")
  string(REPLACE "\r" "\\r" text "${text}")
  string(REPLACE "\t" "\\t" text "${text}")
  set(${out} "\"${text}\"" PARENT_SCOPE)
endfunction()

# Appends one runtime entry {library, path, package, package_version} to the JSON array in
# <array_var>.
function(_racebook_add_runtime array_var library path)
  file(REAL_PATH "${path}" real)
  _racebook_dpkg_owner(owner "${path}" "${real}")
  set(entry "{}")
  foreach(field IN ITEMS library real owner_package owner_package_version)
    _racebook_json_string("${${field}}" value)
    string(REPLACE "real" "path" key "${field}")
    string(REPLACE "owner_" "" key "${key}")
    string(JSON entry SET "${entry}" "${key}" "${value}")
  endforeach()
  string(JSON length LENGTH "${${array_var}}")
  string(JSON array SET "${${array_var}}" ${length} "${entry}")
  set(${array_var} "${array}" PARENT_SCOPE)
endfunction()

# The runtime list in one line, the libraries of one package together:
# "libclang_rt.tsan-x86_64.a + libclang_rt.tsan_cxx-x86_64.a (libclang-rt-19-dev 1:19.1.7-3~deb12u1)".
function(_racebook_runtime_text runtime out)
  string(JSON count LENGTH "${runtime}")
  set(groups "")
  set(previous "-")
  set(names "")
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      string(JSON library GET "${runtime}" ${i} library)
      string(JSON package GET "${runtime}" ${i} package)
      string(JSON version GET "${runtime}" ${i} package_version)
      set(owner "")
      if(package)
        set(owner " (${package} ${version})")
      endif()
      if(NOT owner STREQUAL previous AND names)
        list(JOIN names " + " joined)
        list(APPEND groups "${joined}${previous}")
        set(names "")
      endif()
      list(APPEND names "${library}")
      set(previous "${owner}")
    endforeach()
    list(JOIN names " + " joined)
    list(APPEND groups "${joined}${previous}")
  endif()
  list(JOIN groups ", " text)
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(racebook_write_build_record file)
  set(record "{}")

  # The compiler, as run.
  file(REAL_PATH "${CMAKE_CXX_COMPILER}" compiler_path)
  execute_process(COMMAND "${CMAKE_CXX_COMPILER}" --version
    OUTPUT_VARIABLE compiler_version_full ERROR_QUIET)
  string(REGEX REPLACE "\n.*" "" compiler_version_full "${compiler_version_full}")
  _racebook_dpkg_owner(compiler "${compiler_path}" "${CMAKE_CXX_COMPILER}")

  # The runtime the case programs link: a probe program linked with the sanitizer's link flags.
  set(runtime "[]")
  if(RACEBOOK_SANITIZER_NAME MATCHES "^(helgrind|drd)$")
    find_program(RACEBOOK_VALGRIND valgrind)
    mark_as_advanced(RACEBOOK_VALGRIND)
    if(RACEBOOK_VALGRIND)
      execute_process(COMMAND "${RACEBOOK_VALGRIND}" --version
        OUTPUT_VARIABLE valgrind_version ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
      _racebook_add_runtime(runtime "${valgrind_version}" "${RACEBOOK_VALGRIND}")
    endif()
  elseif(_racebook_flags)
    set(probe_dir "${PROJECT_BINARY_DIR}/racebook-provenance")
    file(MAKE_DIRECTORY "${probe_dir}")
    file(WRITE "${probe_dir}/probe.cpp" "int main() { return 0; }\n")
    execute_process(COMMAND "${CMAKE_CXX_COMPILER}" ${_racebook_flags} probe.cpp -o probe
      WORKING_DIRECTORY "${probe_dir}" RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
    # Shared runtimes (gcc's libtsan.so.N, libasan.so.N, libubsan.so.N; clang's with
    # -shared-libsan), as the dynamic loader resolves them for this program.
    find_program(RACEBOOK_LDD ldd)
    mark_as_advanced(RACEBOOK_LDD)
    if(status EQUAL 0 AND RACEBOOK_LDD)
      execute_process(COMMAND "${RACEBOOK_LDD}" "${probe_dir}/probe"
        OUTPUT_VARIABLE loads ERROR_QUIET)
      string(REPLACE "\n" ";" loads "${loads}")
      foreach(line IN LISTS loads)
        if(line MATCHES "^[ \t]*(lib[a-z_]*san[^ ]*|libclang_rt[^ ]*) => ([^ ]+) ")
          _racebook_add_runtime(runtime "${CMAKE_MATCH_1}" "${CMAKE_MATCH_2}")
        endif()
      endforeach()
    endif()
    # Static runtimes: the libclang_rt archives on the compiler's own link line.
    execute_process(COMMAND "${CMAKE_CXX_COMPILER}" ${_racebook_flags} "-###" probe.cpp -o probe
      WORKING_DIRECTORY "${probe_dir}" OUTPUT_VARIABLE commands ERROR_VARIABLE commands)
    # -### quotes every word: "/usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.tsan-x86_64.a"
    # (not the "--dynamic-list=….a.syms" beside it).
    string(REGEX MATCHALL "\"/[^\" ]*/libclang_rt\\.[^\" /]*\\.a\"" archives "${commands}")
    string(REPLACE "\"" "" archives "${archives}")
    list(REMOVE_DUPLICATES archives)
    foreach(archive IN LISTS archives)
      get_filename_component(library "${archive}" NAME)
      _racebook_add_runtime(runtime "${library}" "${archive}")
    endforeach()
    file(REMOVE_RECURSE "${probe_dir}")
  endif()
  _racebook_runtime_text("${runtime}" runtime_text)
  if(runtime_text)
  elseif(RACEBOOK_SANITIZER_NAME STREQUAL "normal")
    set(runtime_text "none")
  else()
    set(runtime_text "unknown (no sanitizer runtime found on the probe's link line)")
  endif()

  foreach(field IN ITEMS
      compiler=RACEBOOK_COMPILER_NAME
      compiler_command=CMAKE_CXX_COMPILER
      compiler_path=compiler_path
      compiler_version=CMAKE_CXX_COMPILER_VERSION
      compiler_version_full=compiler_version_full
      compiler_package=compiler_package
      compiler_package_version=compiler_package_version
      sanitizer=RACEBOOK_SANITIZER_NAME
      case_flags=_racebook_flag_text
      runtime_text=runtime_text)
    string(REPLACE "=" ";" field "${field}")
    list(GET field 0 key)
    list(GET field 1 var)
    _racebook_json_string("${${var}}" value)
    string(JSON record SET "${record}" "${key}" "${value}")
  endforeach()
  string(JSON record SET "${record}" runtime "${runtime}")
  file(WRITE "${file}" "${record}\n")
endfunction()
