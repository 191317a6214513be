# The installed package: `cmake --install build/<preset> --prefix P` gives
#   P/bin/racebook-harness, P/bin/racebook-read-case
#   P/include/racebook/{start_line,oracle}.hpp
#   P/lib/cmake/racebook/: racebookConfig.cmake, racebookConfigVersion.cmake, racebookTargets.cmake
#     (racebook::harness, racebook::read_case, racebook::case_support), racebook-add-case.cmake
#     (racebook_add_case) and case_main.cpp (the Catch2 main racebook_add_case compiles with the
#     consuming build's sanitizer).
include(CMakePackageConfigHelpers)

set(_racebook_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/racebook")

install(TARGETS racebook-harness racebook-read-case racebook_case_support
  EXPORT racebookTargets
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES
    "${PROJECT_SOURCE_DIR}/cases/support/racebook/start_line.hpp"
    "${PROJECT_SOURCE_DIR}/cases/support/racebook/oracle.hpp"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/racebook")
install(EXPORT racebookTargets
  NAMESPACE racebook::
  DESTINATION "${_racebook_cmake_dir}")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/racebookConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/racebookConfig.cmake"
  INSTALL_DESTINATION "${_racebook_cmake_dir}")
# 0.x: a new minor version may change the case-file format or racebook_add_case, so only the
# same major.minor (and any patch at least as new) is compatible.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/racebookConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMinorVersion)
install(FILES
    "${PROJECT_BINARY_DIR}/racebookConfig.cmake"
    "${PROJECT_BINARY_DIR}/racebookConfigVersion.cmake"
    "${PROJECT_SOURCE_DIR}/cmake/racebook-add-case.cmake"
    "${PROJECT_SOURCE_DIR}/cases/support/case_main.cpp"
  DESTINATION "${_racebook_cmake_dir}")
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/racebook")
