# kyozo_add_test(NAME <name> SOURCES <files…> [LIBS <targets…>] [TIMEOUT <s>] [LABELS <l…>])
# One QtTest executable per class or feature (like KeePassXC's add_unit_test). Every test
# gets a ctest TIMEOUT (≤ 120 s, DEVELOPERS.md) and runs with the offscreen platform.
function(kyozo_add_test)
    cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 60)
    endif()
    if(T_TIMEOUT GREATER 120)
        message(FATAL_ERROR "${T_NAME}: TIMEOUT ${T_TIMEOUT} is above the 120 s limit")
    endif()
    qt_add_executable(${T_NAME} ${T_SOURCES})
    set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    target_link_libraries(${T_NAME} PRIVATE Qt6::Test kyozo-test-support kyozo_warnings ${T_LIBS})
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    set_tests_properties(${T_NAME} PROPERTIES
        TIMEOUT ${T_TIMEOUT}
        LABELS "${T_LABELS}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;KYOZO_BIN_DIR=${CMAKE_BINARY_DIR}/bin")
endfunction()
