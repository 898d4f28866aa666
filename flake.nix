{
  description = "nixos-tuning: a VM per NixOS optimization of the guide, snapshot-tested";

  # Pinned to the guide's release. disko v1.13.0 is the first release whose `disko-vm` passes
  # its arguments on to `run-*-vm` (v1.12.0 drops them), which the driver's QEMU arguments need.
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
    disko = {
      url = "github:nix-community/disko/v1.13.0";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    home-manager = {
      url = "github:nix-community/home-manager/release-25.05";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      disko,
      home-manager,
    }:
    let
      system = "x86_64-linux";
      lib = nixpkgs.lib;
      pkgs = nixpkgs.legacyPackages.${system};
      # The same list as `cargo xtask list` (a test checks it).
      scenarios = import ./nix-tests/scenarios.nix;
      perScenario = f: lib.listToAttrs (map (s: lib.nameValuePair s.name (f s)) scenarios);
    in
    {
      # The machine with that scenario's optimization modules.
      nixosConfigurations = perScenario (
        scenario:
        lib.nixosSystem {
          inherit system;
          modules = [
            disko.nixosModules.disko
            home-manager.nixosModules.home-manager
            ./nix-tests/machine/configuration.nix
            ./nix-tests/nixos/vm.nix
          ]
          ++ scenario.modules;
        }
      );

      # The runnable VM of each scenario (`bin/disko-vm`), what `--backend nixos` boots.
      packages.${system} = perScenario (
        scenario: self.nixosConfigurations.${scenario.name}.config.system.build.vmWithDisko
      );

      checks.${system} = self.packages.${system};

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
