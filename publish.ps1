#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Publishes the intercom as trimmed, self-contained NativeAOT binaries for the Raspberry Pi (linux-arm64) and for
    development machines (linux-x64), into versioned folders and archives under artifacts/.

.DESCRIPTION
    On Linux run it through the PowerShell dotnet tool:   dotnet tool restore; dotnet pwsh ./publish.ps1
    The arm64 build is cross-compiled from x64 with clang and lld (Debian: apt-get install clang lld
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross). Trim and AOT warnings (IL2xxx/IL3xxx) fail the build.
    On Linux each runtime also gets its Debian package (image/build-deb.sh, dpkg-deb): artifacts/intercom_VERSION_ARCH.deb.
    With -SigningKey (the release key's Ed25519 private key, PEM; never in the repository) each archive gets its
    signature beside it, ARCHIVE.sig (base64 of the 64-byte signature): a station installs an uploaded release only with
    a signature by a key it trusts (docs/install.md, "Firmware updates").

.EXAMPLE
    dotnet pwsh ./publish.ps1 -Runtime linux-arm64 -SkipTests
#>
[CmdletBinding()]
param(
    [ValidateSet('linux-x64', 'linux-arm64', 'all')]
    [string] $Runtime = 'all',
    [switch] $SkipTests,
    # No Debian package (on Windows there is none anyway).
    [switch] $SkipPackage,
    [string] $Configuration = 'Release',
    # The release key's private half (openssl genpkey -algorithm ed25519): signs each archive for firmware updates.
    [string] $SigningKey,
    [string] $Output = (Join-Path $PSScriptRoot 'artifacts')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Fail([string] $message) {
    Write-Error "publish.ps1: $message" -ErrorAction Continue
    exit 1
}

function Test-Command([string] $name) { [bool](Get-Command $name -ErrorAction SilentlyContinue) }

# Ed25519 over the archive's bytes as they are (pkeyutl -rawin: Ed25519 signs the message itself, no digest first).
function Write-Signature([string] $archive) {
    $binary = "$archive.sig.bin"
    & openssl pkeyutl -sign -rawin -inkey $SigningKey -in $archive -out $binary
    if ($LASTEXITCODE -ne 0) { Fail "could not sign $archive with $SigningKey" }
    [IO.File]::WriteAllText("$archive.sig", [Convert]::ToBase64String([IO.File]::ReadAllBytes($binary)) + "`n")
    Remove-Item $binary
}

$runtimes = if ($Runtime -eq 'all') { @('linux-x64', 'linux-arm64') } else { @($Runtime) }

# Prerequisites first, each with what to install, so a long build does not fail at its end.
if (-not (Test-Command 'dotnet')) { Fail 'the .NET SDK (dotnet) is not on PATH: install .NET 10 SDK' }
if ($SigningKey -and -not (Test-Path $SigningKey)) { Fail "no signing key at $SigningKey" }
if ($SigningKey -and -not (Test-Command 'openssl')) { Fail 'signing needs the openssl command: apt-get install openssl' }
if ($IsLinux -and -not (Test-Command 'clang')) { Fail 'NativeAOT needs clang: apt-get install clang' }
if ($runtimes -contains 'linux-arm64') {
    if (-not $IsLinux) { Fail 'the linux-arm64 cross-build runs on Linux (use WSL on Windows)' }
    if (-not (Test-Command 'ld.lld')) { Fail 'the arm64 cross-build links with lld: apt-get install lld' }
    $sysroot = '/usr/aarch64-linux-gnu/lib'
    if (-not (Test-Path (Join-Path $sysroot 'libc.so.6'))) {
        Fail "no arm64 C library in ${sysroot}: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
    }
    # clang takes the arm64 crt*.o and libgcc from Debian's gcc cross toolchain (no SysRoot needed).
    if (-not (Test-Command 'aarch64-linux-gnu-gcc') -or -not (Test-Path '/usr/lib/gcc-cross/aarch64-linux-gnu')) {
        Fail 'the arm64 cross-build links with the gcc cross runtime: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross'
    }
}
$buildPackages = $IsLinux -and -not $SkipPackage
if ($buildPackages -and -not (Test-Command 'dpkg-deb')) { Fail 'the Debian package is built with dpkg-deb: apt-get install dpkg (or pass -SkipPackage)' }

$propsFile = Join-Path $PSScriptRoot 'Directory.Build.props'
$version = Select-Xml -Path $propsFile -XPath '//Version' | Select-Object -First 1 | ForEach-Object { $_.Node.InnerText }
if (-not $version) { Fail "no <Version> in $propsFile" }

if (-not $SkipTests) {
    Write-Host "== tests"
    & dotnet test (Join-Path $PSScriptRoot 'Intercom.sln') -c $Configuration
    if ($LASTEXITCODE -ne 0) { Fail 'tests failed (use -SkipTests to publish anyway)' }
}

New-Item -ItemType Directory -Force -Path $Output | Out-Null
$project = Join-Path $PSScriptRoot 'src/Intercom/Intercom.csproj'
foreach ($rid in $runtimes) {
    $target = Join-Path $Output "intercom-$version-$rid"
    Write-Host "== publish $rid -> $target"
    $arguments = @('publish', $project, '-c', $Configuration, '-r', $rid, '-o', $target, '-p:PublishAot=true', '-p:TreatWarningsAsErrors=true')
    if ($rid -eq 'linux-arm64') { $arguments += '-p:LinkerFlavor=lld' }
    $log = & dotnet @arguments 2>&1
    $log | ForEach-Object { Write-Host $_ }
    if ($LASTEXITCODE -ne 0) { Fail "publish for $rid failed" }
    $aotWarnings = $log | Select-String -Pattern 'warning IL[23]\d{3}'
    if ($aotWarnings) { Fail "trim/AOT warnings in the $rid build:`n$($aotWarnings -join "`n")" }

    Get-ChildItem $target -Filter '*.pdb' | Remove-Item
    # Debug symbols stay next to the archive, not on the device.
    $symbols = Join-Path $Output 'symbols'
    New-Item -ItemType Directory -Force -Path $symbols | Out-Null
    Get-ChildItem $target -Filter '*.dbg' | Move-Item -Destination (Join-Path $symbols "intercom-$version-$rid.dbg") -Force
    $binary = Join-Path $target 'intercom'
    Copy-Item (Join-Path $PSScriptRoot 'src/Intercom/intercom.example.json') $target
    $size = (Get-Item $binary).Length
    $archive = Join-Path $Output "intercom-$version-$rid.tar.gz"
    & tar -C $Output -czf $archive "intercom-$version-$rid"
    if ($LASTEXITCODE -ne 0) { Fail "could not write $archive" }
    Write-Host ("{0}: binary {1:N1} MiB ({2} bytes), archive {3}" -f $rid, ($size / 1MB), $size, $archive)
    if ($SigningKey) {
        Write-Signature $archive
        Write-Host "${rid}: signature $archive.sig"
    }

    if ($buildPackages) {
        $debianArch = @{ 'linux-x64' = 'amd64'; 'linux-arm64' = 'arm64' }[$rid]
        $package = & bash (Join-Path $PSScriptRoot 'image/build-deb.sh') --arch $debianArch --version $version --input $target --output $Output
        if ($LASTEXITCODE -ne 0) { Fail "could not build the $debianArch Debian package" }
        $package = @($package)[-1]
        Write-Host ("{0}: package {1} ({2:N1} MiB)" -f $rid, $package, ((Get-Item $package).Length / 1MB))
    }
}
