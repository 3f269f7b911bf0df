# SPDX-License-Identifier: GPL-3.0-or-later
# doppel_add_test(NAME SOURCES ... LIBS ... LABEL unit|integration|gui [TIMEOUT s] [NEEDS_LAB])
# One line per test: a Qt Test executable linked against the libraries (never recompiling
# application sources), registered with ctest under a label and a timeout. Tests run on the
# offscreen platform with a private HOME and XDG folders so they never touch the user's files;
# NEEDS_LAB tests share the lab fixture started by tests/CMakeLists.txt.
function(doppel_add_test name)
  cmake_parse_arguments(T "NEEDS_LAB" "LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test doppel_test_support ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  set(home ${CMAKE_BINARY_DIR}/test-home/${name})
  file(MAKE_DIRECTORY ${home})
  set(env "DOPPEL_BIN_DIR=${CMAKE_RUNTIME_OUTPUT_DIRECTORY}" "QT_QPA_PLATFORM=offscreen"
      "DOPPEL_TEST_LAB_DIR=${DOPPEL_TEST_LAB_DIR}" "HOME=${home}" "XDG_DATA_HOME=${home}/data"
      "XDG_CONFIG_HOME=${home}/config" "XDG_CACHE_HOME=${home}/cache")
  set_tests_properties(${name} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${env}")
  if(T_NEEDS_LAB)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED lab)
  endif()
endfunction()

# Registers every Test*.cpp in the calling folder as its own test with the folder's label.
function(doppel_add_tests_in_folder label)
  cmake_parse_arguments(T "NEEDS_LAB" "TIMEOUT" "LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/Test*.cpp)
  set(lab)
  if(T_NEEDS_LAB)
    set(lab NEEDS_LAB)
  endif()
  foreach(src ${sources})
    get_filename_component(name ${src} NAME_WE)
    doppel_add_test(${name} SOURCES ${src} LIBS ${T_LIBS} LABEL ${label} TIMEOUT ${T_TIMEOUT} ${lab})
  endforeach()
endfunction()
