; Veritrace's Windows installer (Inno Setup 6). It packs the PyInstaller bundle that
; `python packaging/build.py` makes, so build that first, then:
;
;   iscc /DBundleDir=C:\path\to\dist\Veritrace installer.iss
;
; The setup file is written beside the bundle folder. A per-user install: no administrator rights.
; The record (%LOCALAPPDATA%\Veritrace) is not part of the installation: upgrades keep it, and the
; uninstaller removes it only when the user asks.

#ifndef BundleDir
  #error Pass the built bundle folder: iscc /DBundleDir=...\dist\Veritrace installer.iss
#endif
#ifndef Compression
  #define Compression "lzma2"
#endif
#define AppName "Veritrace"
#define AppExeName "Veritrace.exe"
; PyInstaller's folder beside the executable (packaging/layout.py: CONTENTS).
#define Contents "_internal"

; The version has one source, app/__init__.py: read its `__version__ = "…"` line.
#define InitFile AddBackslash(SourcePath) + "app\__init__.py"
#define AppVersion ""
#define FileHandle
#define FileLine
#sub ReadVersionLine
  #define FileLine = FileRead(FileHandle)
  #if Pos('__version__ = "', FileLine) == 1
    #define public AppVersion = Copy(FileLine, 16, Len(FileLine) - 16)
  #endif
#endsub
#for {FileHandle = FileOpen(InitFile); FileHandle && !FileEof(FileHandle); ""} ReadVersionLine
#if FileHandle
  #expr FileClose(FileHandle)
#endif
#if AppVersion == ""
  #error No __version__ line found in app\__init__.py
#endif

[Setup]
; Fixed for good: Windows recognises later versions by it and upgrades in place.
AppId={{6B215DA2-2BE8-428B-96F0-2057C3BF01CC}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DisableDirPage=auto
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
LicenseFile=LICENSE
SetupIconFile=resources\icons\veritrace.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputDir={#BundleDir}\..
OutputBaseFilename={#AppName}-{#AppVersion}-setup
Compression={#Compression}
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Closes a running Veritrace before files are replaced (Restart Manager).
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the program folder's contents whole: no library of the old version stays behind.
Type: filesandordirs; Name: "{app}\{#Contents}"

[Files]
Source: "{#BundleDir}\{#AppExeName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\{#Contents}\*"; DestDir: "{app}\{#Contents}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "LICENSE"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// The record lives in %LOCALAPPDATA%\Veritrace (platformdirs' user data folder), outside {app}.
// It is the user's audit trail: removed only on an explicit "Yes", never by a silent uninstall.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  DataDir := ExpandConstant('{localappdata}\{#AppName}');
  if UninstallSilent or not DirExists(DataDir) then
    exit;
  if MsgBox('Also delete your Veritrace records, settings and signing key in' + #13#10 + DataDir + '?'
      + #13#10#13#10 + 'Choose No to keep them (a later installation will use them again).',
      mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
    DelTree(DataDir, True, True, True);
end;
