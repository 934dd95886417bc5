# agora_module(NAME DIR [DEPS ...]): one static library per source folder,
# made of every .cpp in DIR (a header-only folder gets an INTERFACE target).
function(agora_module name dir)
  file(GLOB _srcs CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp")
  if(_srcs)
    add_library(${name} STATIC ${_srcs})
    target_link_libraries(${name} PUBLIC agora_flags ${ARGN})
  else()
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE agora_flags ${ARGN})
  endif()
endfunction()

# agora_test(NAME DIR [LIBS ...]): one Catch2 executable per test folder.
function(agora_test name dir)
  file(GLOB _srcs CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp")
  if(NOT _srcs)
    return()
  endif()
  add_executable(${name} ${_srcs})
  target_link_libraries(${name} PRIVATE agora_flags Catch2::Catch2WithMain ${ARGN})
  target_compile_definitions(${name} PRIVATE
    AGORA_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    AGORA_TEST_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data"
    AGORA_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if(NOT DEFINED AGORA_TEST_TIMEOUT)
    set(AGORA_TEST_TIMEOUT 120)
  endif()
  catch_discover_tests(${name}
    PROPERTIES TIMEOUT ${AGORA_TEST_TIMEOUT}
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endfunction()
