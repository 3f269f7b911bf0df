# SPDX-License-Identifier: GPL-3.0-or-later
# doppel_add_test(NAME SOURCES ... LIBS ... LABEL unit|integration|gui [TIMEOUT s])
# One line per test: a Qt Test executable linked against the libraries (never recompiling
# application sources), registered with ctest under a label and a timeout. GUI tests run on the
# offscreen platform; every test gets a private HOME/XDG so it never touches the user's files.
function(doppel_add_test name)
  cmake_parse_arguments(T "" "LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test ${T_LIBS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/support)
  add_test(NAME ${name} COMMAND ${name})
  set(env "DOPPEL_BIN_DIR=${CMAKE_RUNTIME_OUTPUT_DIRECTORY}" "QT_QPA_PLATFORM=offscreen")
  set_tests_properties(${name} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${env}")
endfunction()

# Registers every Test*.cpp in the calling folder as its own test with the folder's label.
function(doppel_add_tests_in_folder label)
  cmake_parse_arguments(T "" "TIMEOUT" "LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/Test*.cpp)
  foreach(src ${sources})
    get_filename_component(name ${src} NAME_WE)
    doppel_add_test(${name} SOURCES ${src} LIBS ${T_LIBS} LABEL ${label} TIMEOUT ${T_TIMEOUT})
  endforeach()
endfunction()
