# The GPU code's toolchain: CUDA 13 from /usr/local/cuda, for H100/H200 (sm_90) and
# DGX Spark GB10 (sm_121), plus PTX for newer GPUs. WSFLEET_CUDA: AUTO builds it when nvcc
# is found, ON requires it, OFF leaves it out (the `gpu` commands then say so). Sets
# WSFLEET_HAVE_CUDA.
set(WSFLEET_CUDA AUTO CACHE STRING "Build the GPU code with CUDA: AUTO (when nvcc is found), ON, OFF")
set_property(CACHE WSFLEET_CUDA PROPERTY STRINGS AUTO ON OFF)
set(WSFLEET_HAVE_CUDA OFF)
if(WSFLEET_FUZZ)
  set(WSFLEET_CUDA OFF)  # the fuzz build is clang with coverage; it does not need GPU code
endif()
if(NOT WSFLEET_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90-real 121-real 121-virtual)
    endif()
    # One CUDA runtime in the binary: the shared one, which the CUDA images ship.
    set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
    enable_language(CUDA)
    # C++17 for .cu files: CMake 3.25 has no CUDA20 dialect for nvcc.
    set(CMAKE_CUDA_STANDARD 17)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    # The host compiler searches /usr/include itself; passed again as -isystem (from a
    # Debian package's include path) it breaks libstdc++'s #include_next <math.h>.
    list(APPEND CMAKE_CUDA_IMPLICIT_INCLUDE_DIRECTORIES /usr/include)
    find_package(CUDAToolkit REQUIRED)
    find_library(WSFLEET_NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR})
    set(WSFLEET_HAVE_CUDA ON)
  elseif(WSFLEET_CUDA STREQUAL "ON")
    message(FATAL_ERROR "WSFLEET_CUDA=ON, but no CUDA compiler: install the CUDA 13 toolkit "
                        "in /usr/local/cuda or set CMAKE_CUDA_COMPILER")
  endif()
endif()
message(STATUS "wsfleet GPU code with CUDA: ${WSFLEET_HAVE_CUDA} (WSFLEET_CUDA=${WSFLEET_CUDA})")
