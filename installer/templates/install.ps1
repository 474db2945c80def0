# Install TermLens from this offline bundle on Windows. Nothing is downloaded.
#
#   powershell -ExecutionPolicy Bypass -File install.ps1 [-Prefix DIR] [-DataDir DIR] [-NoShortcut]
#   powershell -ExecutionPolicy Bypass -File install.ps1 -Uninstall [-Prefix DIR] [-RemoveData]
#   powershell -ExecutionPolicy Bypass -File install.ps1 -Verify
#   (install and -Verify also take -ManifestSha256 HEX and -PublicKey FILE: see INSTALL.txt)
#
# Every file is checked against manifest.json before anything is written. The work is done by
# install.py with the Python the bundle was built for (the "py" launcher, else python.exe on
# PATH, else -Python C:\path\to\python.exe); this script adds the Start-menu shortcut.
param(
    [string]$Prefix = (Join-Path $env:LOCALAPPDATA "Programs\TermLens"),
    [string]$DataDir = "",
    [string]$Python = "",
    [switch]$NoShortcut,
    [switch]$Uninstall,
    [switch]$RemoveData,
    [switch]$Verify,
    [string]$ManifestSha256 = "",
    [string]$PublicKey = ""
)
$ErrorActionPreference = "Stop"
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$manifest = Get-Content -Raw -Path (Join-Path $here "manifest.json") | ConvertFrom-Json
$want = $manifest.python

if ($Python) {
    $py = @($Python)
} elseif (Get-Command py -ErrorAction SilentlyContinue) {
    $py = @("py", "-$want")
} elseif (Get-Command python -ErrorAction SilentlyContinue) {
    $py = @("python")
} else {
    Write-Error "Python $want was not found. Install it (it is on the installation media) or pass -Python C:\path\to\python.exe"
    exit 2
}
$exe = $py[0]
$pre = @()
if ($py.Count -gt 1) { $pre = $py[1..($py.Count - 1)] }
$installer = Join-Path $here "install.py"
$shortcut = Join-Path ([Environment]::GetFolderPath("Programs")) "TermLens.lnk"
$trust = @()
if ($ManifestSha256) { $trust += @("--manifest-sha256", $ManifestSha256) }
if ($PublicKey) { $trust += @("--public-key", $PublicKey) }

if ($Verify) {
    & $exe @pre $installer verify @trust
    exit $LASTEXITCODE
}

if ($Uninstall) {
    $uargs = @($installer, "uninstall", "--prefix", $Prefix)
    if ($RemoveData) { $uargs += "--remove-data" }
    & $exe @pre @uargs
    $code = $LASTEXITCODE
    if (Test-Path $shortcut) { Remove-Item -Force $shortcut }
    exit $code
}

$iargs = @($installer, "install", "--prefix", $Prefix) + $trust
if ($DataDir) { $iargs += @("--data-dir", $DataDir) }
& $exe @pre @iargs
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

if (-not $NoShortcut) {
    $prefixFull = (Resolve-Path $Prefix).Path
    $shell = New-Object -ComObject WScript.Shell
    $link = $shell.CreateShortcut($shortcut)
    $link.TargetPath = Join-Path $prefixFull "venv\Scripts\pythonw.exe"
    $link.Arguments = '"' + (Join-Path $prefixFull "termlens.pyw") + '"'
    $link.WorkingDirectory = $prefixFull
    $link.Description = "TermLens: an offline assistant that understands your vocabulary"
    $ico = Join-Path $here "termlens.ico"
    if (Test-Path $ico) {
        Copy-Item -Force $ico (Join-Path $prefixFull "termlens.ico")
        $link.IconLocation = (Join-Path $prefixFull "termlens.ico") + ",0"
    }
    $link.Save()
    Write-Host "Start-menu shortcut: $shortcut"
}
exit 0
