# snow_folder_library(NAME SOURCES... DEPS ...)
# Builds one runtime folder as an OBJECT library NAME_objs (bundled into
# libsnowrt.a) and a STATIC library NAME that links only the folders it may
# use, so a test of that folder fails to link on an upward call.
function(snow_folder_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LIBS" ${ARGN})
    add_library(${name}_objs OBJECT ${ARG_SOURCES})
    target_compile_options(${name}_objs PRIVATE -Wmissing-prototypes -fvisibility=hidden)
    target_include_directories(${name}_objs PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/include)
    foreach(dep ${ARG_DEPS})
        target_link_libraries(${name}_objs PUBLIC ${dep})
    endforeach()
    foreach(lib ${ARG_LIBS})
        target_link_libraries(${name}_objs PUBLIC ${lib})
    endforeach()
    add_library(${name} STATIC $<TARGET_OBJECTS:${name}_objs>)
    set_property(GLOBAL APPEND PROPERTY SNOW_RUNTIME_OBJS $<TARGET_OBJECTS:${name}_objs>)
    target_link_libraries(${name} PUBLIC ${name}_objs ${ARG_DEPS} ${ARG_LIBS})
endfunction()

# snow_unit_test(NAME SOURCES... LIBS ...): one Criterion executable per test
# folder, registered with CTest under its own name.
function(snow_unit_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_LIBS} PkgConfig::CRITERION)
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/include)
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    # -j2: Criterion forks a process per test; two at a time fit CI's 2 cores.
    add_test(NAME ${name} COMMAND ${name} --jobs 2 --short-filename)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS unit)
    if(SNOW_SANITIZE)
        # Criterion's own runner leaks a record; see tests/lsan.supp.
        set_tests_properties(${name} PROPERTIES
            ENVIRONMENT "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/lsan.supp")
    endif()
endfunction()
