# Compiler flags shared by every target. Warnings are errors everywhere;
# source folders add -Wmissing-prototypes (see snow_folder_library), which
# enforces one header per module.
set(SNOW_WARNINGS -Wall -Wextra -Werror -Werror=implicit-function-declaration
    -Wno-missing-field-initializers)
add_compile_options(${SNOW_WARNINGS})
add_compile_options(-fno-omit-frame-pointer)  # perf and --profile walk frame pointers

set(SNOWC_EXTRA_CFLAGS "")
if(SNOW_SANITIZE)
    set(SNOW_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined)
    # Snow programs built by this snowc link the instrumented runtime.
    set(SNOWC_EXTRA_CFLAGS "-fsanitize=address,undefined -fno-sanitize-recover=undefined")
    add_compile_options(${SNOW_SANITIZE_FLAGS} -g)
    add_link_options(${SNOW_SANITIZE_FLAGS})
    add_compile_definitions(SNOW_USE_SANITIZE=1)
endif()

if(CMAKE_BUILD_TYPE STREQUAL "Debug" OR SNOW_SANITIZE OR SNOW_BUILD_TESTS)
    # snow_assert is on in debug, test and sanitizer builds (STYLE 4).
    add_compile_definitions(SNOW_USE_ASSERT=1)
endif()
