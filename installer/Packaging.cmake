# SPDX-License-Identifier: GPL-3.0-or-later
install(TARGETS doppel doppelctl RUNTIME DESTINATION bin)
install(FILES ${CMAKE_SOURCE_DIR}/installer/doppel.desktop DESTINATION share/applications)
set(CPACK_PACKAGE_NAME doppel)
set(CPACK_PACKAGE_CONTACT "Doppel developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Operations console for PostgreSQL migrations")
set(CPACK_GENERATOR DEB TGZ)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
