# Third-party libraries, all from Debian packages (scripts/setup.sh installs
# them). pkg-config gives the flags; snowc is told the library names only,
# never this machine's paths.
find_package(PkgConfig REQUIRED)
pkg_check_modules(URING REQUIRED IMPORTED_TARGET liburing)
pkg_check_modules(WOLFSSL REQUIRED IMPORTED_TARGET wolfssl)
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
find_package(Threads REQUIRED)

if(SNOW_BUILD_TESTS)
    pkg_check_modules(CRITERION REQUIRED IMPORTED_TARGET criterion)
endif()

# What every Snow executable links after libsnowrt.a; snowc bakes this into
# its link line (lang/compiler/config.h.in).
set(SNOW_RUNTIME_LINK_LIBS "-luring -lwolfssl -ljemalloc -lsqlite3 -lpthread -lm -ldl")
