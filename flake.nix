{
  description = "nixos-tuning: a VM per NixOS optimization of the guide, snapshot-tested";

  # Pinned to the guide's release. The NixOS side (nixosConfigurations per scenario, their
  # disko VMs and checks) is the nixos backend's work; this flake gives the development shell.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs = { self, nixpkgs }:
    let
      system = "x86_64-linux";
      pkgs = nixpkgs.legacyPackages.${system};
    in
    {
      devShells.${system}.default = pkgs.mkShell {
        packages = with pkgs; [
          cargo
          rustc
          clippy
          rustfmt
          cargo-nextest
          cargo-insta
          qemu
          mmdebstrap
          squashfs-tools-ng
        ];
      };
    };
}
