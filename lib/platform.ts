// The per-platform packages that carry the compiled binaries (the addon and both mock libraries):
// their names, and where the one for this process is installed. The main package names them in
// its optionalDependencies; the package manager installs only the one whose os, cpu and libc
// fields fit the machine. scripts/package/ builds and packs them from the same rule.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The npm scope of the platform packages. */
export const PLATFORM_SCOPE = '@nvml-mig';

/** Where the main package's files are (dist/ and build/ are below it). */
export const PACKAGE_ROOT = path.join(__dirname, '..');

/**
 * The files of a platform package, relative to its folder, which are also their places in a
 * local build (build/Release): the addon and the two mocks, each mock as libnvidia-ml.so.1 so
 * that LD_LIBRARY_PATH=<its folder> works for any NVML client.
 */
export const BINARIES = {
  addon: 'nvml_mig.node',
  mock: path.join('mock', 'libnvidia-ml.so.1'),
  legacyMock: path.join('mock-legacy', 'libnvidia-ml.so.1'),
} as const;

export type Libc = 'gnu' | 'musl';

/** The C library this Node runs on: its own report says which glibc it was linked with, if any. */
export function currentLibc(): Libc {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? 'gnu' : 'musl';
}

/** `linux-x64-gnu`: the platform part of a platform package's name. */
export function platformTarget(platform: string = process.platform, arch: string = process.arch, libc: Libc = currentLibc()): string {
  return `${platform}-${arch}-${libc}`;
}

/** `@nvml-mig/linux-x64-gnu`. */
export function platformPackageName(target: string = platformTarget()): string {
  return `${PLATFORM_SCOPE}/${target}`;
}

/**
 * The folder of this platform's installed package, resolved from the main package as Node resolves
 * a dependency (node_modules next to it or above it, pnpm's layout included); null when it is not
 * installed. The package manager skips it on another platform, with --omit=optional, or when the
 * registry has none for this platform.
 */
export function platformPackageDir(root: string = PACKAGE_ROOT): string | null {
  try {
    return path.dirname(require.resolve(`${platformPackageName()}/package.json`, { paths: [root] }));
  } catch {
    return null;
  }
}

/** The local build's folder (build/Release), present only where the sources were compiled here. */
export function localBuildDir(root: string = PACKAGE_ROOT): string {
  return path.join(root, 'build', 'Release');
}

/**
 * A binary of this package: the local build's when it exists (only a checkout or an explicit build
 * from source makes one, so it is the one wanted), else the platform package's. With neither, the
 * local build's path, so that errors name what to build.
 */
export function binaryPath(which: keyof typeof BINARIES, root: string = PACKAGE_ROOT): string {
  const local = path.join(localBuildDir(root), BINARIES[which]);
  if (fs.existsSync(local)) return local;
  const dir = platformPackageDir(root);
  const packaged = dir && path.join(dir, BINARIES[which]);
  return packaged && fs.existsSync(packaged) ? packaged : local;
}

/** The command that builds the binaries from source inside an installed nvml-mig. */
export const SOURCE_BUILD_COMMAND = 'npm run build:native --prefix node_modules/nvml-mig';

/** The platform packages the main package names in its optionalDependencies (its package.json). */
export function publishedPlatformPackages(root: string = PACKAGE_ROOT): string[] {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> };
    return Object.keys(manifest.optionalDependencies ?? {}).filter((name) => name.startsWith(`${PLATFORM_SCOPE}/`));
  } catch {
    return [];
  }
}

/** What to do when neither a platform package nor a local build has the binaries. */
export function missingBinaryAdvice(): string {
  const packages = publishedPlatformPackages();
  return (
    `Prebuilt binaries come in ${packages.length ? packages.join(', ') : 'the platform packages'}, which the package ` +
    `manager installs as optional dependencies where os, cpu and libc fit (${platformPackageName()} here): reinstall ` +
    'without --omit=optional / --no-optional if one fits this machine. Else build from source: ' +
    `\`${SOURCE_BUILD_COMMAND}\` in your project (\`npm run build:native\` in a checkout of nvml-mig), which needs a ` +
    'C++17 compiler, make and python3.'
  );
}
