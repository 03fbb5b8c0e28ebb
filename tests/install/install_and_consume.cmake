# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
# Installs the build tree into a scratch prefix, then configures, builds and runs a consumer
# that only knows the installed package. Variables: BUILD_DIR, SOURCE_DIR, WORK_DIR and
# CONSUMER_FLAGS (compiler and linker flags, e.g. the sanitizers the library was built with).
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
    message(FATAL_ERROR "install failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/consumer" -B "${WORK_DIR}/build"
                        "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix" -DCMAKE_BUILD_TYPE=Release
                        "-DCMAKE_CXX_FLAGS=${CONSUMER_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_FLAGS}"
                RESULT_VARIABLE rc)
if(rc)
    message(FATAL_ERROR "configuring the consumer failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${WORK_DIR}/build" RESULT_VARIABLE rc)
if(rc)
    message(FATAL_ERROR "building the consumer failed: ${rc}")
endif()
execute_process(COMMAND "${WORK_DIR}/build/consumer" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message(STATUS "consumer printed: ${out}")
if(rc)
    message(FATAL_ERROR "the consumer failed: ${rc}")
endif()
execute_process(COMMAND "${WORK_DIR}/build/consumer_test" RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(rc)
    message(FATAL_ERROR "the consumer's Parley::Test case failed (${rc}):\n${out}")
endif()
message(STATUS "the consumer's Parley::Test case passed")
