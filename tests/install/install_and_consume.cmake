# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
# Installs the build tree into a scratch prefix, then configures, builds and runs consumers that
# only know the installed package: a program that asks for Parley alone (configured with Qt
# Test hidden, so it proves it doesn't need it) and a Qt Test case that asks for the Test
# component. Asking for the Test component with Qt Test hidden must fail, naming it.
# Variables: BUILD_DIR, SOURCE_DIR, WORK_DIR and CONSUMER_FLAGS (compiler and linker flags,
# e.g. the sanitizers the library was built with).
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
    message(FATAL_ERROR "install failed: ${rc}")
endif()

# Configures and builds consumer project NAME (a directory here) into WORK_DIR/NAME with the
# extra cache arguments that follow; sets RC and OUT in the caller.
function(configure_consumer name)
    execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/${name}" -B "${WORK_DIR}/${name}"
                            "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix" -DCMAKE_BUILD_TYPE=Release
                            "-DCMAKE_CXX_FLAGS=${CONSUMER_FLAGS}"
                            "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_FLAGS}" ${ARGN}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    set(RC ${rc} PARENT_SCOPE)
    set(OUT "${out}" PARENT_SCOPE)
endfunction()

function(build_consumer name)
    execute_process(COMMAND ${CMAKE_COMMAND} --build "${WORK_DIR}/${name}" RESULT_VARIABLE rc)
    if(rc)
        message(FATAL_ERROR "building ${name} failed: ${rc}")
    endif()
endfunction()

# 1. Parley alone, with Qt Test out of reach.
configure_consumer(consumer -DCMAKE_DISABLE_FIND_PACKAGE_Qt6Test=TRUE)
if(RC)
    message(FATAL_ERROR "find_package(Parley) needed more than Parley's own dependencies:\n${OUT}")
endif()
build_consumer(consumer)
execute_process(COMMAND "${WORK_DIR}/consumer/consumer" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message(STATUS "consumer printed: ${out}")
if(rc)
    message(FATAL_ERROR "the consumer failed: ${rc}")
endif()

# 2. The Test component, and a Qt Test case written with it.
configure_consumer(consumer-test)
if(RC)
    message(FATAL_ERROR "find_package(Parley COMPONENTS Test) failed:\n${OUT}")
endif()
build_consumer(consumer-test)
execute_process(COMMAND "${WORK_DIR}/consumer-test/consumer_test" RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc)
    message(FATAL_ERROR "the consumer's Parley::Test case failed (${rc}):\n${out}")
endif()
message(STATUS "the consumer's Parley::Test case passed")

# 3. The Test component without Qt Test: a clear failure, not a half-found package.
file(REMOVE_RECURSE "${WORK_DIR}/consumer-test-without-qt-test")
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/consumer-test"
                        -B "${WORK_DIR}/consumer-test-without-qt-test"
                        "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix"
                        -DCMAKE_DISABLE_FIND_PACKAGE_Qt6Test=TRUE
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc)
    message(FATAL_ERROR "find_package(Parley COMPONENTS Test) succeeded without Qt Test")
endif()
if(NOT out MATCHES "Parley component Test is missing: it needs Qt6 Test")
    message(FATAL_ERROR "asking for Parley's Test component without Qt Test failed without "
                        "saying so:\n${out}")
endif()
message(STATUS "without Qt Test, the Test component is refused")
